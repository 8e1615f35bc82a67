package io.jenkins.plugins.modeldeploy.jenkins.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import io.jenkins.plugins.modeldeploy.jenkins.engine.Resolver;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.route.ObjectApplier;
import io.jenkins.plugins.modeldeploy.route.RouteOptions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A cluster's Traefik route options in the global configuration reach the engine's settings. */
class ClusterRouteConfigTest {
    private final SecretSource secrets = new SecretSource() {
        @Override
        public String kubeconfig(String field, String id) {
            return "kubeconfig of " + id;
        }

        @Override
        public RegistryCredentials registry(String field, String id) {
            return new RegistryCredentials("u", "p");
        }

        @Override
        public RegistryCredentials usernamePassword(String field, String id) {
            return new RegistryCredentials("u", "p");
        }
    };

    @Test
    void entryPointsTlsMiddlewaresAndApplyModeReachTheSettings() {
        ClusterConfig prod = new ClusterConfig("prod");
        prod.setKubeconfigCredentialsId("kube-prod");
        prod.setEntryPoints("websecure, internal");
        prod.setTlsCertResolver("letsencrypt");
        prod.setMiddlewares("traefik/rate-limit\nsso");
        prod.setApplyMode("server_side_apply");
        ModelDeployConfiguration config = new ModelDeployConfiguration();
        config.setClusters(List.of(prod));

        KubernetesSettings settings =
                new Resolver(config, secrets).kubernetes(new TargetOptions("prod", null, null, null, null));

        assertThat(settings.routeOptions())
                .isEqualTo(new RouteOptions(
                        List.of("websecure", "internal"),
                        Optional.of(RouteOptions.Tls.resolver("letsencrypt")),
                        List.of(
                                new RouteOptions.MiddlewareRef("rate-limit", Optional.of("traefik")),
                                new RouteOptions.MiddlewareRef("sso", Optional.empty()))));
        assertThat(settings.applyMode()).isEqualTo(ObjectApplier.Mode.SERVER_SIDE_APPLY);
    }

    @Test
    void aClusterWithoutThemKeepsTheDefaults() {
        ClusterConfig bare = new ClusterConfig("bare");
        bare.setInCluster(true);
        ModelDeployConfiguration config = new ModelDeployConfiguration();
        config.setClusters(List.of(bare));
        KubernetesSettings settings =
                new Resolver(config, secrets).kubernetes(new TargetOptions("bare", null, null, null, null));
        assertThat(settings.routeOptions()).isEqualTo(RouteOptions.DEFAULTS);
        assertThat(settings.applyMode()).isEqualTo(ObjectApplier.Mode.OWNED_FIELDS);
    }

    @Test
    void badValuesAreRefusedNamingTheField() {
        ClusterConfig cluster = new ClusterConfig("x");
        assertThatThrownBy(() -> cluster.setMiddlewares("Rate_Limit"))
                .hasMessageStartingWith("middlewares: route.middlewares[0].name: not a Kubernetes object name");
        assertThatThrownBy(() -> cluster.setEntryPoints("web secure"))
                .hasMessageStartingWith("entryPoints: route.entryPoints[0]");
        assertThatThrownBy(() -> cluster.setApplyMode("patch"))
                .hasMessage("applyMode: \"patch\" must be OWNED_FIELDS or SERVER_SIDE_APPLY");
        assertThatThrownBy(() -> ClusterConfig.routeOptions(null, "cert", "le", null))
                .hasMessage("tlsSecretName, tlsCertResolver: give one of them, not both");
    }
}
