package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.model.InvalidModelSpecException;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.SpecProblem;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "validate", description = "Check a model directory's model.yaml and print every problem found.")
final class ValidateCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    ModelOptions model;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        try {
            ModelSpec spec = model.load();
            out.printf(
                    "%s: valid (%s model %s, entrypoint %s, %d sample%s)%n",
                    spec.directory(),
                    spec.runtime().id(),
                    spec.name(),
                    spec.entrypoint(),
                    spec.samples().size(),
                    spec.samples().size() == 1 ? "" : "s");
            return 0;
        } catch (InvalidModelSpecException e) {
            for (SpecProblem problem : e.problems()) {
                err.println(problem);
            }
            err.printf(
                    "model-deploy validate: %d problem%s in %s%n",
                    e.problems().size(), e.problems().size() == 1 ? "" : "s", e.directory());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
