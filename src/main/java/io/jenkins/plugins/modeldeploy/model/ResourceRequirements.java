package io.jenkins.plugins.modeldeploy.model;

/**
 * Kubernetes quantities for one serving pod, in the canonical form the API server stores ({@link Quantities}); a null
 * limit means none is set. {@code gpus} is the count of {@code nvidia.com/gpu} (0 for none); an extended resource is
 * requested and limited by the same integer, as Kubernetes requires.
 */
public record ResourceRequirements(
        String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit, int gpus) {
    public static final ResourceRequirements DEFAULT = new ResourceRequirements("250m", "256Mi", null, "512Mi", 0);

    public ResourceRequirements {
        if (gpus < 0) {
            throw new IllegalArgumentException("gpus must be >= 0, was " + gpus);
        }
    }

    /** Without GPUs. */
    public ResourceRequirements(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
        this(cpuRequest, memoryRequest, cpuLimit, memoryLimit, 0);
    }
}
