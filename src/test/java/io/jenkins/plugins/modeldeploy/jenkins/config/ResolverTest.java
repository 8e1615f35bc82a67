package io.jenkins.plugins.modeldeploy.jenkins.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import io.jenkins.plugins.modeldeploy.jenkins.engine.Resolver;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defaults from the global configuration, and which credential wins. */
class ResolverTest {
    final List<String> lookups = new ArrayList<>();
    final SecretSource secrets = new SecretSource() {
        @Override
        public String kubeconfig(String field, String id) {
            lookups.add(field + "=" + id);
            return "kubeconfig of " + id;
        }

        @Override
        public RegistryCredentials registry(String field, String id) {
            lookups.add(field + "=" + id);
            return new RegistryCredentials("u", "p");
        }

        @Override
        public RegistryCredentials usernamePassword(String field, String id) {
            lookups.add(field + "=" + id);
            return new RegistryCredentials("events", "pw");
        }
    };

    private ModelDeployConfiguration config() {
        ModelDeployConfiguration config = new ModelDeployConfiguration();
        ClusterConfig prod = new ClusterConfig("prod");
        prod.setKubeconfigCredentialsId("kube-prod");
        prod.setNamespace("ml");
        prod.setRouteMode("INGRESS");
        prod.setPrometheusUrl("http://prometheus:9090");
        prod.setPrometheusMatchers("cluster=\"prod\"");
        prod.setHost("models.example.com");
        prod.setGatewayUrl("https://models.example.com:8443/");
        ClusterConfig local = new ClusterConfig("local");
        local.setInCluster(true);
        ClusterConfig bare = new ClusterConfig("bare");
        config.setClusters(List.of(prod, local, bare));
        return config;
    }

    @Test
    void aNamedClusterBringsItsCredentialNamespaceRoutesAndMetrics() {
        KubernetesSettings k =
                new Resolver(config(), secrets).kubernetes(new TargetOptions("prod", null, null, null, null));
        assertThat(k.kubeconfig()).contains("kubeconfig of kube-prod");
        assertThat(k.namespace()).isEqualTo("ml");
        assertThat(k.routeMode()).isEqualTo(KubernetesSettings.RouteMode.INGRESS);
        assertThat(k.prometheus()).contains(URI.create("http://prometheus:9090"));
        assertThat(k.prometheusMatchers().toString()).isEqualTo("cluster=\"prod\"");
        assertThat(k.host()).contains("models.example.com");
        assertThat(k.gatewayUrl()).contains(URI.create("https://models.example.com:8443"));
        assertThat(lookups).containsExactly("cluster prod kubeconfigCredentialsId=kube-prod");
    }

    @Test
    void stepOptionsWinOverTheCluster() {
        KubernetesSettings k = new Resolver(config(), secrets)
                .kubernetes(new TargetOptions(null, "kube-mine", "team", "team.example.com", null));
        assertThat(k.kubeconfig()).contains("kubeconfig of kube-mine");
        assertThat(k.namespace()).isEqualTo("team");
        assertThat(k.host()).contains("team.example.com");
        assertThat(lookups).containsExactly("kubeconfigCredentialsId=kube-mine");
    }

    @Test
    void inClusterNeedsNoCredentialButABareClusterIsAnError() {
        Resolver resolver = new Resolver(config(), secrets);
        assertThat(resolver.kubernetes(new TargetOptions("local", null, null, null, null))
                        .kubeconfig())
                .isEmpty();
        assertThat(resolver.kubernetes(new TargetOptions("local", null, null, null, null))
                        .gatewayUrl())
                .isEmpty();
        assertThatThrownBy(() -> new ClusterConfig("x").setGatewayUrl("models.example.com"))
                .hasMessage("gatewayUrl: \"models.example.com\" is not an http:// or https:// URL");
        assertThatThrownBy(() -> resolver.kubernetes(new TargetOptions("bare", null, null, null, null)))
                .hasMessageStartingWith("cluster bare: has neither a kubeconfig credentials ID nor \"in cluster\"");
        assertThatThrownBy(() -> new Resolver(new ModelDeployConfiguration(), secrets)
                        .kubernetes(new TargetOptions(null, null, null, null, null)))
                .hasMessageStartingWith("cluster: give a cluster name from the global configuration");
    }

    @Test
    void eventsComeFromTheStepOrTheConfigurationWithTheConfiguredCredential() {
        ModelDeployConfiguration config = config();
        config.setEventsUri("amqp://rabbit:5672/");
        config.setEventsCredentialsId("rabbit");
        Resolver resolver = new Resolver(config, secrets);
        assertThat(resolver.events(new TargetOptions(null, null, null, null, null)))
                .hasValueSatisfying(a -> assertThat(a.redacted()).isEqualTo("amqp://events@rabbit:5672/"));
        assertThat(resolver.events(new TargetOptions(null, null, null, null, "amqp://other:5672/")))
                .hasValueSatisfying(a -> assertThat(a.uri().getHost()).isEqualTo("other"));
        assertThat(new Resolver(new ModelDeployConfiguration(), secrets)
                        .events(new TargetOptions(null, null, null, null, null)))
                .isEmpty();
    }

    @Test
    void globalSloDefaultsApplyOnlyToModelsWithoutAnSlo(@TempDir Path dir) throws Exception {
        ModelDeployConfiguration config = new ModelDeployConfiguration();
        config.setDefaultP99Ms(30);
        Resolver resolver = new Resolver(config, secrets);
        Files.writeString(dir.resolve("model.yaml"), "name: iris\nruntime: python\nentrypoint: m:M\n");
        assertThat(resolver.sloDefaults(dir))
                .extracting(o -> o.field() + "=" + o.value())
                .containsExactly("slo.p99Ms=30.0", "slo.maxErrorRate=0.01");
        Files.writeString(dir.resolve("model.yaml"), "name: iris\nruntime: python\nentrypoint: m:M\nslo: {p99Ms: 9}\n");
        assertThat(resolver.sloDefaults(dir)).isEmpty();
    }
}
