package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import io.jenkins.plugins.modeldeploy.testing.RabbitMqBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The prediction log's RabbitMQ output against a real broker (the private node the event ITs use). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PredictionLogRabbitMqIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private RabbitMqBroker broker;

    @BeforeAll
    void startBroker() throws Exception {
        broker = RabbitMqBroker.start(dir.resolve("broker"));
    }

    @AfterAll
    void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static PredictionSink.Prediction prediction(String version, String id) {
        return new PredictionSink.Prediction(
                new VersionRef("iris", version),
                "stable",
                id,
                "{\"instances\":[[6.4,3.2,4.5,1.5]],\"user\":\"u7\"}".getBytes(StandardCharsets.UTF_8),
                200,
                "{\"predictions\":[\"versicolor\"]}".getBytes(StandardCharsets.UTF_8),
                1_000_000);
    }

    @Test
    void recordsArriveOnTheDurableExchangeRoutedByModelAndVersionWithoutExcludedFields() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(broker.amqpUri());
        List<String> notices = Collections.synchronizedList(new ArrayList<>());
        try (Connection connection = factory.newConnection("test consumer");
                Channel channel = connection.createChannel()) {
            channel.exchangeDeclare(AmqpPredictionOutput.EXCHANGE, "topic", true);
            String v2 = "v2-" + UUID.randomUUID();
            channel.queueDeclare(v2, true, false, false, null);
            channel.queueBind(v2, AmqpPredictionOutput.EXCHANGE, "iris.2");
            String all = "all-" + UUID.randomUUID();
            channel.queueDeclare(all, true, false, false, null);
            channel.queueBind(all, AmqpPredictionOutput.EXCHANGE, "iris.*");

            try (PredictionLogWriter writer = PredictionLogWriter.open(
                    new PredictionLogWriter.Settings(broker.amqpUri(), 1.0, List.of("request.user")), notices::add)) {
                for (int i = 0; i < 50; i++) {
                    writer.offer(prediction(i % 2 == 0 ? "1" : "2", "r" + i));
                }
            }
            List<JsonNode> onV2 = drain(channel, v2);
            List<JsonNode> onAll = drain(channel, all);
            assertThat(onV2)
                    .hasSize(25)
                    .allSatisfy(r -> assertThat(r.get("version").asText()).isEqualTo("2"));
            assertThat(onAll).hasSize(50);
            JsonNode first = onAll.get(0);
            assertThat(first.get("requestId").asText()).isEqualTo("r0");
            assertThat(first.get("request").has("user")).isFalse();
            assertThat(first.get("request").get("instances").get(0).get(0).asDouble())
                    .isEqualTo(6.4);
            assertThat(first.get("response").get("predictions").get(0).asText()).isEqualTo("versicolor");
        }
        assertThat(notices).isEmpty();
        assertThat(broker.ctl("list_exchanges", "name", "durable")).contains("model-deploy.predictions\ttrue");
    }

    @Test
    void refusedCredentialsFailAtOpenWithoutThePassword() {
        String wrong = broker.amqpUri().replace("guest:guest@", "guest:s3cret-wrong@");
        assertThatThrownBy(() ->
                        PredictionLogWriter.open(new PredictionLogWriter.Settings(wrong, 1.0, List.of()), notice -> {}))
                .hasMessageContaining("refused the credentials")
                .hasMessageNotContaining("s3cret-wrong");
    }

    private static List<JsonNode> drain(Channel channel, String queue) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        GetResponse response;
        while ((response = channel.basicGet(queue, true)) != null) {
            records.add(JSON.readTree(response.getBody()));
        }
        return records;
    }
}
