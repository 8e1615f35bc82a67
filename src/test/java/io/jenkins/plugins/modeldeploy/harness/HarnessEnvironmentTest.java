package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Model code never inherits the credentials the CLI was given; what model.yaml declares still reaches it. */
class HarnessEnvironmentTest {
    @Test
    void credentialsAreRemovedAndDeclaredOrSecretReferencedVariablesKept() {
        Map<String, String> env = new HashMap<>(Map.of(
                "PATH", "/usr/bin",
                "MODEL_DEPLOY_AMQP_PASSWORD", "amqp-secret",
                "MODEL_DEPLOY_REGISTRY_PASSWORD", "registry-secret",
                "GITHUB_TOKEN", "ghp",
                "DB_PASSWORD", "inherited",
                "API_TOKEN", "from-the-shell",
                "MODEL_DEPLOY_VERSION", "9",
                "MODEL_DEPLOY_WORKERS", "2"));
        // API_TOKEN is read from a Kubernetes Secret on the cluster (secretKeyRef); locally the shell's value stands in
        HarnessProcess.modelEnvironment(
                env, Map.of("DB_PASSWORD", "declared", "OMP_NUM_THREADS", "1"), java.util.Set.of("API_TOKEN"));
        assertThat(env)
                .containsOnly(
                        Map.entry("PATH", "/usr/bin"),
                        Map.entry("MODEL_DEPLOY_WORKERS", "2"),
                        Map.entry("DB_PASSWORD", "declared"),
                        Map.entry("API_TOKEN", "from-the-shell"),
                        Map.entry("OMP_NUM_THREADS", "1"));
    }
}
