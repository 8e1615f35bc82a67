package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.ModelMetrics;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import io.jenkins.plugins.modeldeploy.smoke.Payloads;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a model declares for its A/B tests in model.yaml ({@code abTest.labelled}, {@code abTest.metrics}), read in
 * one place for the engine, the CLI and the Jenkins steps.
 */
public final class AbTestInputs {
    private AbTestInputs() {}

    /** The model's labelled request files ({@code abTest.labelled}); empty when it declares none. */
    public static List<Path> labelled(ModelSpec spec) {
        return spec.abTest().labelled();
    }

    /** The quality metrics the model gates on by default ({@code abTest.metrics}); empty when it declares none. */
    public static List<GatedMetric> declaredMetrics(ModelSpec spec) {
        return ModelMetrics.gated(spec.abTest());
    }

    /**
     * What synthetic A/B traffic and smoke tests send: the labelled files when the model declares some, else its
     * samples (which may carry {@code "expected"} too: both are scored per instance).
     */
    public static List<Path> trafficFiles(ModelSpec spec) {
        List<Path> labelled = labelled(spec);
        return labelled.isEmpty() ? spec.samples() : labelled;
    }

    /** The payloads of {@link #trafficFiles}; empty when the model has neither labelled files nor samples. */
    public static List<Payload> trafficPayloads(ModelSpec spec) throws IOException {
        List<Path> files = trafficFiles(spec);
        return files.isEmpty() ? List.of() : Payloads.read(spec.directory(), files);
    }
}
