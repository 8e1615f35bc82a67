package io.jenkins.plugins.modeldeploy.smoke;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/** Runs open-loop load against one endpoint and judges the result against thresholds. */
public final class SmokeTest {
    private final LoadGenerator generator = new LoadGenerator();

    public SmokeResult run(
            URI target,
            List<Payload> payloads,
            LoadProfile profile,
            SmokeThresholds thresholds,
            Consumer<LoadGenerator.Progress> progress)
            throws InterruptedException {
        Instant startedAt = Instant.now();
        LoadResult load = generator.run(target, payloads, profile, progress);
        return new SmokeResult(target, profile, thresholds, startedAt, load, SmokeVerdict.of(load, thresholds));
    }
}
