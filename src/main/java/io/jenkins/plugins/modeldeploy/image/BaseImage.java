package io.jenkins.plugins.modeldeploy.image;

import java.io.IOException;
import java.nio.file.Path;

/** Where an image's base comes from: a registry reference, a {@code docker save} tar, or nothing (scratch). */
public sealed interface BaseImage {
    record Registry(String reference) implements BaseImage {}

    record Tar(Path path) implements BaseImage {}

    record Scratch() implements BaseImage {}

    /** {@code scratch}, {@code tar:PATH} or a registry reference such as {@code registry:5000/base/python:3}. */
    static BaseImage parse(String text) {
        if (text.equals("scratch")) {
            return new Scratch();
        }
        if (text.startsWith("tar:") || text.startsWith("tar://")) {
            return new Tar(Path.of(text.substring(text.startsWith("tar://") ? 6 : 4)));
        }
        return new Registry(text);
    }

    /**
     * As {@link #parse}, for a base image a job author chose (the Jenkins steps): a {@code tar:} archive must be a
     * relative path inside {@code workspace}, without {@code ..}, and stay inside it once links are resolved; it is
     * resolved against the workspace, never against the working directory of the process.
     */
    static BaseImage inWorkspace(String text, Path workspace) {
        BaseImage parsed = parse(text);
        if (!(parsed instanceof Tar tar)) {
            return parsed;
        }
        String given = text.substring(text.startsWith("tar://") ? 6 : 4);
        Path relative = tar.path();
        if (workspace == null) {
            throw new IllegalArgumentException("baseImage: \"" + text + "\": a tar: base image is read from the"
                    + " workspace; run the step inside node { ... }");
        }
        if (relative.isAbsolute()
                || given.startsWith("/")
                || given.startsWith("\\")
                || given.matches("^[A-Za-z]:.*")
                || relative.normalize().startsWith("..")
                || given.contains("..")) {
            throw new IllegalArgumentException("baseImage: \"" + text + "\": a tar: base image must be a relative"
                    + " path inside the workspace, without \"..\"");
        }
        Path root;
        Path file;
        try {
            root = workspace.toRealPath();
            file = root.resolve(relative).toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "baseImage: \"" + text + "\": no such file in the workspace (" + e.getMessage() + ")");
        }
        if (!file.startsWith(root)) {
            throw new IllegalArgumentException("baseImage: \"" + text + "\" is a link that leaves the workspace");
        }
        return new Tar(file);
    }
}
