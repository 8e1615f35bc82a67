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
}
