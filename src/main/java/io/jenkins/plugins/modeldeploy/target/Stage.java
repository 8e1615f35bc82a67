package io.jenkins.plugins.modeldeploy.target;

import java.util.Locale;

/** Where a version is in its life; stored as the {@code model-deploy.jenkins.io/stage} annotation. */
public enum Stage {
    CANDIDATE,
    CHALLENGER,
    PRODUCTION,
    RETIRED,
    ROLLED_BACK,
    REJECTED,
    FAILED;

    /** The annotation value, e.g. {@code production}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Stage parse(String value) {
        for (Stage stage : values()) {
            if (stage.value().equals(value)) {
                return stage;
            }
        }
        throw new IllegalArgumentException("unknown stage \"" + value + "\"; known: candidate, challenger,"
                + " production, retired, rolled-back, rejected, failed");
    }
}
