package io.jenkins.plugins.modeldeploy.smoke;

/** {@link SmokeReportsTest}'s sample result for tests in other packages. */
public final class SmokeReportsTestAccess {
    private SmokeReportsTestAccess() {}

    public static SmokeResult sample(long slowMicros) {
        return SmokeReportsTest.sample(slowMicros);
    }
}
