package io.jenkins.plugins.modeldeploy.image;

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
}
