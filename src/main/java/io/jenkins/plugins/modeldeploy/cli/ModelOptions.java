package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.model.InvalidModelSpecException;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.SpecOverride;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The model directory and the options that override its {@code model.yaml}. */
final class ModelOptions {
    @Parameters(index = "0", paramLabel = "<model-dir>", description = "Directory holding model.yaml and the model.")
    Path modelDir;

    @Option(
            names = "--set",
            paramLabel = "FIELD=VALUE",
            description = "Override a model.yaml field, e.g. --set slo.p99Ms=20 --set env.LOG_LEVEL=debug.")
    List<String> assignments = new ArrayList<>();

    @Option(
            names = "--workers",
            paramLabel = "N",
            description = "Worker processes (a number or auto); overrides serving.workers.")
    String workers;

    ModelSpec load() throws InvalidModelSpecException {
        List<SpecOverride> overrides = new ArrayList<>();
        for (String assignment : assignments) {
            overrides.add(SpecOverride.parse(assignment));
        }
        if (workers != null) {
            overrides.add(new SpecOverride("serving.workers", workers, "--workers"));
        }
        return new ModelSpecLoader().load(modelDir, overrides);
    }
}
