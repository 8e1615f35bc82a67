package io.jenkins.plugins.modeldeploy.model;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** A model directory whose specification has one or more problems; the message lists all of them. */
public final class InvalidModelSpecException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path directory;
    private final transient List<SpecProblem> problems;

    public InvalidModelSpecException(Path directory, List<SpecProblem> problems) {
        super(message(directory, problems));
        this.directory = directory;
        this.problems = List.copyOf(problems);
    }

    public Path directory() {
        return directory;
    }

    public List<SpecProblem> problems() {
        return problems;
    }

    private static String message(Path directory, List<SpecProblem> problems) {
        String header = problems.size() == 1
                ? "invalid model in " + directory + ": "
                : "invalid model in " + directory + " (" + problems.size() + " problems): ";
        return header + problems.stream().map(SpecProblem::toString).collect(Collectors.joining("; "));
    }
}
