package io.jenkins.plugins.modeldeploy.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.jenkins.plugins.modeldeploy.testing.RabbitMqBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The RabbitMQ sink against a real broker (Debian's rabbitmq-server, a private node on 127.0.0.1). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitMqSinkIT {
    @TempDir
    static Path dir;

    private RabbitMqBroker broker;
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

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

    private Connection consumerConnection() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(broker.amqpUri());
        return factory.newConnection("test consumer");
    }

    /** A durable queue bound to the events exchange for {@code bindingKey}, declared before anything is published. */
    private static String boundQueue(Channel channel, String... bindingKeys) throws Exception {
        channel.exchangeDeclare(RabbitMqSink.EXCHANGE, "topic", true);
        String queue = "test-" + UUID.randomUUID();
        channel.queueDeclare(queue, true, false, false, null);
        for (String bindingKey : bindingKeys) {
            channel.queueBind(queue, RabbitMqSink.EXCHANGE, bindingKey);
        }
        return queue;
    }

    private RabbitMqSink open(String spoolName) throws Exception {
        return RabbitMqSink.open(
                AmqpSettings.parse(broker.amqpUri()), dir.resolve(spoolName), problems::add, event -> {});
    }

    @Test
    void everyEventTypeRoundTripsWithItsRoutingKey() throws Exception {
        try (Connection connection = consumerConnection();
                Channel channel = connection.createChannel()) {
            String queue = boundQueue(channel, "roundtrip.#");
            RabbitMqSink sink = open("roundtrip.spool");
            List<DeploymentEvent> sent = new ArrayList<>();
            for (EventDetails details : SampleEvents.everyType()) {
                DeploymentEvent event = SampleEvents.event("roundtrip", "3", details);
                sent.add(event);
                sink.accept(event);
            }
            assertThat(sink.close(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.confirmed()).isEqualTo(sent.size());
            for (DeploymentEvent expected : sent) {
                GetResponse message = channel.basicGet(queue, true);
                assertThat(message).as("message for " + expected.type()).isNotNull();
                assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("roundtrip.3." + expected.type());
                assertThat(message.getProps().getDeliveryMode()).isEqualTo(2);
                assertThat(message.getProps().getMessageId())
                        .isEqualTo(expected.id().toString());
                assertThat(EventJson.parse(message.getBody())).isEqualTo(expected);
            }
            assertThat(channel.basicGet(queue, true)).isNull();
        }
    }

    /**
     * 10,000 events for four deployments; the broker application is stopped while they stream and started again.
     * Every event reaches the durable queue bound before the run, in order per deployment; an event may come twice
     * (republished after the connection broke) but then with the same id and content.
     */
    @Test
    void brokerRestartInTheMiddleOfTenThousandEventsLosesNone() throws Exception {
        String queue;
        try (Connection setup = consumerConnection();
                Channel channel = setup.createChannel()) {
            queue = boundQueue(channel, "restart-0.#", "restart-1.#", "restart-2.#", "restart-3.#");
        }
        RabbitMqSink sink = open("restart.spool");
        EventBus bus = new EventBus(List.of(sink), problems::add);
        List<DeploymentEvent> sent = new ArrayList<>();
        Thread restarter = null;
        for (int i = 0; i < 10_000; i++) {
            String model = "restart-" + (i % 4);
            DeploymentEvent event =
                    SampleEvents.event(model, "1", new EventDetails.RolloutProgress("ready", i, 10_000));
            sent.add(event);
            bus.publish(event);
            if (i == 2_000) {
                restarter = new Thread(() -> {
                    try {
                        broker.stopApp();
                        Thread.sleep(2_000);
                        broker.startApp();
                    } catch (Exception e) {
                        problems.add("restart failed: " + e);
                    }
                });
                restarter.start();
            }
            if (i % 100 == 0) {
                Thread.sleep(5); // a stream over a few seconds, so that the restart falls in the middle of it
            }
        }
        restarter.join(120_000);
        assertThat(bus.close(Duration.ofSeconds(90)))
                .as(String.join("\n", problems))
                .isTrue();
        assertThat(sink.pending()).isZero();

        Map<UUID, String> bodies = new HashMap<>();
        Map<String, List<Integer>> orderPerDeployment = new LinkedHashMap<>();
        int duplicates = 0;
        try (Connection connection = consumerConnection();
                Channel channel = connection.createChannel()) {
            for (GetResponse message = channel.basicGet(queue, true);
                    message != null;
                    message = channel.basicGet(queue, true)) {
                DeploymentEvent event = EventJson.parse(message.getBody());
                String body = new String(message.getBody(), java.nio.charset.StandardCharsets.UTF_8);
                String earlier = bodies.putIfAbsent(event.id(), body);
                if (earlier != null) {
                    duplicates++;
                    assertThat(body).as("a duplicate carries the same event").isEqualTo(earlier);
                    continue;
                }
                orderPerDeployment
                        .computeIfAbsent(event.model(), m -> new ArrayList<>())
                        .add(((EventDetails.RolloutProgress) event.details()).ready());
            }
        }
        assertThat(bodies.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        sent.stream().map(DeploymentEvent::id).toList());
        for (Map.Entry<String, List<Integer>> deployment : orderPerDeployment.entrySet()) {
            assertThat(deployment.getValue()).as(deployment.getKey()).isSorted().hasSize(2_500);
        }
        assertThat(problems).anyMatch(p -> p.contains("is unreachable")).anyMatch(p -> p.contains("reachable again"));
        System.out.printf(
                "broker restart: %d events sent, %d received once, %d duplicates, %d confirmed%n",
                sent.size(), bodies.size(), duplicates, sink.confirmed());
    }

    @Test
    void anUnroutableEventIsReportedNotDropped() throws Exception {
        List<DeploymentEvent> unroutable = Collections.synchronizedList(new ArrayList<>());
        RabbitMqSink sink = RabbitMqSink.open(
                AmqpSettings.parse(broker.amqpUri()), dir.resolve("lonely.spool"), problems::add, unroutable::add);
        DeploymentEvent event = SampleEvents.event("nobody-listens", "1", new EventDetails.BuildStarted("x"));
        sink.accept(event);
        assertThat(sink.close(Duration.ofSeconds(10))).isTrue();
        assertThat(unroutable).containsExactly(event);
        assertThat(sink.returned()).isEqualTo(1);
        assertThat(problems)
                .contains(
                        "event build.started " + event.id() + " was not routed to any queue: no queue"
                                + " is bound to exchange model-deploy.events for routing key nobody-listens.1.build.started (NO_ROUTE)");
    }

    @Test
    void aWrongPasswordIsAClearErrorWithoutThePassword() {
        String uri = "amqp://guest:s3cret-Wrong@127.0.0.1:" + broker.port() + "/";
        assertThatThrownBy(() -> RabbitMqSink.open(
                        AmqpSettings.parse(uri), dir.resolve("auth.spool"), problems::add, event -> {}))
                .isInstanceOf(EventBusException.class)
                .hasMessage("RabbitMQ at amqp://guest@127.0.0.1:" + broker.port() + "/ refused the credentials of user"
                        + " \"guest\" (ACCESS_REFUSED): check the user name and password")
                .satisfies(e -> assertThat(e.toString()).doesNotContain("s3cret"));
        assertThat(problems).noneMatch(p -> p.contains("s3cret"));
        assertThat(AmqpSettings.parse(uri).toString()).doesNotContain("s3cret");
    }

    @Test
    void eventsSpooledWhileTheBrokerIsDownArePublishedByTheNextRun() throws Exception {
        String queue;
        try (Connection setup = consumerConnection();
                Channel channel = setup.createChannel()) {
            queue = boundQueue(channel, "spooled.#");
        }
        broker.stopApp();
        List<DeploymentEvent> sent = new ArrayList<>();
        Path spool = dir.resolve("spooled.spool");
        try {
            RabbitMqSink offline =
                    RabbitMqSink.open(AmqpSettings.parse(broker.amqpUri()), spool, problems::add, e -> {});
            for (int i = 0; i < 5; i++) {
                DeploymentEvent event =
                        SampleEvents.event("spooled", "1", new EventDetails.RolloutProgress("ready", i, 5));
                sent.add(event);
                offline.accept(event);
            }
            assertThat(offline.close(Duration.ofMillis(500))).isFalse();
            assertThat(JournalSink.read(spool)).containsExactlyElementsOf(sent);
        } finally {
            broker.startApp();
        }
        RabbitMqSink next = RabbitMqSink.open(AmqpSettings.parse(broker.amqpUri()), spool, problems::add, e -> {});
        assertThat(next.close(Duration.ofSeconds(10))).isTrue();
        assertThat(Files.size(spool)).isZero();
        try (Connection connection = consumerConnection();
                Channel channel = connection.createChannel()) {
            for (DeploymentEvent expected : sent) {
                assertThat(EventJson.parse(channel.basicGet(queue, true).getBody()))
                        .isEqualTo(expected);
            }
        }
    }
}
