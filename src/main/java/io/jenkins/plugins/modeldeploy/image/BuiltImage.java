package io.jenkins.plugins.modeldeploy.image;

/**
 * The result of a build.
 *
 * @param image        the tagged reference, e.g. {@code registry:5000/models/iris:2}
 * @param digest       the manifest digest, {@code sha256:…}
 * @param layersPushed layer blobs actually uploaded (not the config blob, not blobs the registry already had)
 * @param bytesPushed  their compressed size
 */
public record BuiltImage(String image, String digest, int layersPushed, long bytesPushed) {
    /** {@code repository@sha256:…}: what deployments use, never a mutable tag. */
    public String pinned() {
        String repository = image;
        int slash = repository.lastIndexOf('/');
        int colon = repository.lastIndexOf(':');
        if (colon > slash) {
            repository = repository.substring(0, colon);
        }
        return repository + "@" + digest;
    }
}
