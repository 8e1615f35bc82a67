package io.jenkins.plugins.modeldeploy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Endpoints keep the path they are given ({@code URI.resolve("/predict")} would drop it). */
class EndpointsTest {
    @Test
    void aPathUnderAnEndpointKeepsTheEndpointsPath() {
        assertThat(Endpoints.under(URI.create("http://h/models/iris/7"), "predict"))
                .isEqualTo(URI.create("http://h/models/iris/7/predict"));
        assertThat(Endpoints.under(URI.create("http://h/models/iris/7/"), "predict"))
                .isEqualTo(URI.create("http://h/models/iris/7/predict"));
        assertThat(Endpoints.under(URI.create("http://127.0.0.1:8080"), "v2", "health", "live"))
                .isEqualTo(URI.create("http://127.0.0.1:8080/v2/health/live"));
    }

    @Test
    void routesUnderAGatewayWithAPrefix() {
        URI gateway = URI.create("https://edge.example.com/ml/");
        assertThat(Endpoints.stable(gateway, "iris")).isEqualTo(URI.create("https://edge.example.com/ml/models/iris"));
        assertThat(Endpoints.version(gateway, "iris", "7"))
                .isEqualTo(URI.create("https://edge.example.com/ml/models/iris/7"));
    }
}
