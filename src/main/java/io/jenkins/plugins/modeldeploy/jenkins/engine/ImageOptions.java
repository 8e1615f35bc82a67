package io.jenkins.plugins.modeldeploy.jenkins.engine;

import java.io.Serializable;

/** How to build and push a model's image, as the user wrote it. No secret in here, only a credentials ID. */
public final class ImageOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String imageRepository;
    public final String registryCredentialsId;
    public final String baseImage;
    public final boolean insecureRegistry;

    public ImageOptions(
            String imageRepository, String registryCredentialsId, String baseImage, boolean insecureRegistry) {
        this.imageRepository = imageRepository;
        this.registryCredentialsId = registryCredentialsId;
        this.baseImage = baseImage;
        this.insecureRegistry = insecureRegistry;
    }
}
