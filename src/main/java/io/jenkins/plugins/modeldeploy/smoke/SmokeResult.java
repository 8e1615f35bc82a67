package io.jenkins.plugins.modeldeploy.smoke;

import java.net.URI;
import java.time.Instant;

/** A finished smoke test: what was run against what, what it measured, and the verdict. */
public record SmokeResult(
        URI target,
        LoadProfile profile,
        SmokeThresholds thresholds,
        Instant startedAt,
        LoadResult load,
        SmokeVerdict verdict) {
    public boolean passed() {
        return verdict.passed();
    }

    /**
     * The measured answers to labelled payloads ({@code "expected"}), scored per instance: accuracy, and mae and rmse
     * for numeric labels. Reported, not judged: a labelled sample is ground truth a model may miss.
     */
    public LabelScore labels() {
        return load.labels();
    }
}
