package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** When a Deployment counts as rolled out (what kubectl rollout status waits for). */
class RolloutCompletionTest {
    private static Deployment deployment(
            Integer replicas, long generation, long observed, int updated, int available, int total) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("iris-2")
                .withGeneration(generation)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .endSpec()
                .withNewStatus()
                .withObservedGeneration(observed)
                .withUpdatedReplicas(updated)
                .withAvailableReplicas(available)
                .withReplicas(total)
                .endStatus()
                .build();
    }

    @ParameterizedTest(name = "replicas={0} gen={1} observed={2} updated={3} available={4} total={5} -> {6}")
    @CsvSource({
        "2, 3, 3, 2, 2, 2, true",
        "2, 3, 2, 2, 2, 2, false", // the controller has not seen the new template: status is the old one's
        "2, 3, 3, 1, 2, 3, false", // one old replica left
        "2, 3, 3, 2, 1, 2, false", // not all available
        "0, 3, 3, 0, 0, 0, false", // scaled to zero is not serving
        ", 1, 1, 1, 1, 1, true" // replicas unset: the API server's default of 1
    })
    void completeOnlyWhenTheCurrentTemplateRunsEveryReplica(
            Integer replicas, long generation, long observed, int updated, int available, int total, boolean complete) {
        assertThat(RolloutWatcher.available(deployment(replicas, generation, observed, updated, available, total)))
                .isEqualTo(complete);
    }

    @ParameterizedTest(name = "replicas={0} hpa min={1} updated=available=total={2} -> {3}")
    @CsvSource({
        "1, 2, 1, false", // the HPA raises 1 to its minimum 2 only at its first reconcile: not done at 1/1
        "1, 2, 2, true",
        "2, 2, 2, true",
        "3, 2, 3, true", // above the minimum, spec.replicas counts
        "3, 2, 2, false",
        "1, , 1, true", // no HPA
        "0, 2, 0, false", // scaled to zero, its HPA inert ("scaling is disabled"): nothing serves
        "0, , 0, false"
    })
    void desiredIsTheLargerOfSpecReplicasAndTheHpaMinimum(
            int replicas, Integer minReplicas, int pods, boolean complete) {
        Deployment deployment = deployment(replicas, 2, 2, pods, pods, pods);
        assertThat(RolloutWatcher.available(deployment, minReplicas)).isEqualTo(complete);
        assertThat(RolloutWatcher.desired(deployment, minReplicas))
                .isEqualTo(minReplicas == null ? replicas : Math.max(replicas, minReplicas));
    }

    @Test
    void noStatusYetIsNotComplete() {
        assertThat(RolloutWatcher.available(new DeploymentBuilder()
                        .withNewMetadata()
                        .withGeneration(1L)
                        .endMetadata()
                        .withNewSpec()
                        .endSpec()
                        .build()))
                .isFalse();
    }
}
