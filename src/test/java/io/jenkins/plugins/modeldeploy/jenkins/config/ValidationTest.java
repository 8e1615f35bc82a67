package io.jenkins.plugins.modeldeploy.jenkins.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.util.FormValidation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Option validation: every message names the field and shows what was written. */
class ValidationTest {
    @Test
    void durationsAcceptShortFormsAndIso8601() {
        assertThat(Durations.parse("90s", "f")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("5m", "f")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse(" 2h ", "f")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("1d", "f")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("250ms", "f")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("PT1H30M", "f")).isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> Durations.parse("soon", "approval.timeout"))
                .hasMessage("approval.timeout: \"soon\" is not a duration; write e.g. 30s, 5m, 2h, 1d or ISO-8601 like"
                        + " PT1H30M");
        assertThatThrownBy(() -> Durations.parsePositive("0s", "smoke.duration"))
                .hasMessage("smoke.duration: must be longer than zero, was \"0s\"");
    }

    @Test
    void namesMustBeDnsLabels() {
        assertThat(Validation.dnsLabel("namespace", "ml-prod", true)).isEmpty();
        assertThat(Validation.dnsLabel("namespace", "", false)).isEmpty();
        assertThat(Validation.dnsLabel("cluster", "", true)).contains("cluster: a value is required");
        assertThat(Validation.dnsLabel("version", "1.2.0", false))
                .hasValueSatisfying(
                        m -> assertThat(m).startsWith("version: \"1.2.0\" must be lower-case letters, digits and '-'"));
        assertThat(Validation.dnsLabel("namespace", "a".repeat(64), false)).isPresent();
    }

    @Test
    void otherChecks() {
        assertThat(Validation.credentialsId("registryCredentialsId", "has space"))
                .contains("registryCredentialsId: \"has space\" is not a credentials ID (letters, digits and _ . : @ -"
                        + " only)");
        assertThat(Validation.labelMatchers("prometheusMatchers", "cluster=\"prod\",job=\"traefik\""))
                .isEmpty();
        assertThat(Validation.labelMatchers("prometheusMatchers", "cluster=prod"))
                .hasValueSatisfying(m -> assertThat(m)
                        .startsWith("prometheusMatchers cluster=prod is not a list of PromQL label matchers"));
        assertThat(Validation.httpUrl("prometheusUrl", "prometheus:9090"))
                .contains("prometheusUrl: \"prometheus:9090\" is not an http:// or https:// URL");
        assertThat(Validation.httpUrl("prometheusUrl", "http://prometheus.monitoring:9090"))
                .isEmpty();
        assertThat(Validation.registry("url", "https://registry.example.com", true))
                .hasValueSatisfying(
                        m -> assertThat(m).startsWith("url: \"https://registry.example.com\" must be a registry host"));
        assertThat(Validation.registry("url", "registry.example.com:5000/models", true))
                .isEmpty();
        assertThat(Validation.amqpUri("eventsUri", "http://rabbit"))
                .hasValueSatisfying(m -> assertThat(m).startsWith("eventsUri: AMQP URI must start with amqp://"));
        assertThat(Validation.amqpUri("eventsUri", "amqp://user:pw@rabbit:5672/"))
                .contains("eventsUri: put the RabbitMQ user name and password in a credential (events credentials ID),"
                        + " not in the URI");
        assertThat(Validation.relativePath("modelDir", "../other")).isPresent();
        assertThat(Validation.relativePath("modelDir", "/abs/model")).isPresent();
        assertThat(Validation.relativePath("modelDir", "models/iris")).isEmpty();
        assertThat(Validation.number("abTest.alpha", "0.7", 0.0001, 0.4999))
                .contains("abTest.alpha: 0.7 is outside 0.0001..0.4999");
        assertThat(Validation.number("smoke.rate", "fast", 0, 1)).contains("smoke.rate: \"fast\" is not a number");
        assertThat(Validation.approvers("approval.approvers", "alice,,bob")).isPresent();
        assertThat(Validation.list(" alice, ml-leads ,")).isEqualTo(List.of("alice", "ml-leads"));
    }

    @Test
    void formValidationCarriesTheMessage() {
        FormValidation error = new ClusterConfig.DescriptorImpl().doCheckNamespace("ML");
        assertThat(error.kind).isEqualTo(FormValidation.Kind.ERROR);
        assertThat(error.getMessage()).startsWith("namespace: \"ML\" must be lower-case");
        assertThat(new ClusterConfig.DescriptorImpl().doCheckNamespace("ml").kind)
                .isEqualTo(FormValidation.Kind.OK);
        assertThat(new RegistryConfig.DescriptorImpl().doCheckUrl("").getMessage())
                .isEqualTo("url: a value is required");
        assertThat(new ModelDeployConfiguration().doCheckApprovalTimeout("eventually").kind)
                .isEqualTo(FormValidation.Kind.ERROR);
        assertThat(new ModelDeployConfiguration()
                        .doCheckDefaultMaxErrorRate("1.5")
                        .getMessage())
                .isEqualTo("defaultMaxErrorRate: 1.5 is outside 0..1");
    }

    @Test
    void globalConfigurationLooksUpClustersAndRegistries() {
        ModelDeployConfiguration config = new ModelDeployConfiguration();
        ClusterConfig prod = new ClusterConfig("prod");
        prod.setRouteMode("ingress");
        config.setClusters(List.of(new ClusterConfig("staging"), prod));
        config.setRegistries(List.of(new RegistryConfig("registry.example.com/models")));

        assertThat(config.cluster(null)).map(ClusterConfig::getName).contains("staging");
        assertThat(config.cluster("prod")).map(ClusterConfig::getRouteMode).contains("INGRESS");
        assertThatThrownBy(() -> config.cluster("qa"))
                .hasMessage("cluster: \"qa\" is not configured in Manage"
                        + " Jenkins > System > Model deploy (known: staging, prod)");
        assertThat(config.registryFor("registry.example.com/models/iris")).isPresent();
        assertThat(config.registryFor("registry.example.com/modelsx/iris")).isEmpty();
        assertThatThrownBy(() -> config.setClusters(List.of(new ClusterConfig("a"), new ClusterConfig("a"))))
                .hasMessage("clusters: the name \"a\" is used twice");
        assertThatThrownBy(() -> prod.setRouteMode("nginx"))
                .hasMessage("routeMode: \"nginx\" must be TRAEFIK or" + " INGRESS");
        assertThat(prod.getNamespace()).isEqualTo("default");
        assertThat(config.getApprovalTimeout()).isEqualTo("24h");
    }
}
