package io.jenkins.plugins.modeldeploy.jenkins.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.kube.KubernetesTarget;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped wiring: the service file names the real factory, which builds the real engine and target. */
class DefaultEngineFactoryTest {
    @TempDir
    Path work;

    @Test
    void theInstalledFactoryIsTheRealEngineOverKubernetes() throws Exception {
        System.clearProperty(EngineFactory.PROPERTY);
        EngineFactory factory = EngineFactory.installed();
        assertThat(factory).isInstanceOf(DefaultEngineFactory.class);
        assertThat(factory.engine(work, event -> {})).isInstanceOf(DeploymentEngine.class);
        String kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                + "    server: https://127.0.0.1:9\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n"
                + "current-context: c\nusers:\n- name: u\n  user:\n    token: t\n";
        KubernetesSettings settings = new KubernetesSettings(
                Optional.of(kubeconfig),
                Optional.empty(),
                "models",
                Optional.empty(),
                KubernetesSettings.RouteMode.TRAEFIK,
                Optional.empty(),
                Optional.of(URI.create("http://prometheus:9090")),
                RetireMode.REMOVE,
                2,
                10,
                List.of());
        try (Target target = factory.target(settings, event -> {})) {
            assertThat(target).isInstanceOf(KubernetesTarget.class);
            assertThat(target.describe()).contains("models");
            assertThat(target.metrics(50)).isPresent();
        }
    }
}
