package io.jenkins.plugins.modeldeploy.model;

/** Kubernetes quantities for one serving pod; a null limit means none is set. */
public record ResourceRequirements(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
    public static final ResourceRequirements DEFAULT = new ResourceRequirements("250m", "256Mi", null, "512Mi");
}
