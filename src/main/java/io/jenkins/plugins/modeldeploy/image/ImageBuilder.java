package io.jenkins.plugins.modeldeploy.image;

/** Builds the image of one model version and pushes it where the plan says (registry, tar, local daemon). */
public interface ImageBuilder {
    BuiltImage build(ImagePlan plan) throws ImageBuildException, InterruptedException;
}
