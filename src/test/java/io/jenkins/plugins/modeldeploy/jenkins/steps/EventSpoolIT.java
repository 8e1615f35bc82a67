package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.event.EventJson;
import io.jenkins.plugins.modeldeploy.event.RabbitMqSink;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.engine.DefaultEngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.testing.RabbitMqBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events the broker has not confirmed outlive the step (against a real RabbitMQ, as {@code RabbitMqSinkIT} starts
 * one): build 1 publishes while the broker is down, so its events stay in a spool in the build's directory (not a
 * temporary folder removed at the step's end); build 2 of the job takes that spool over and republishes them.
 */
class EventSpoolIT {
    @TempDir
    static Path dir;

    static RabbitMqBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = RabbitMqBroker.start(dir.resolve("broker"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void eventsTheBrokerDidNotConfirmAreRepublishedByTheNextBuild() throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("workspace"));
        ModelDeployConfiguration config = new ModelDeployConfiguration();
        config.setEventsUri("amqp://127.0.0.1:" + broker.port()); // AMQP's default user: the broker's guest
        TargetOptions events = new TargetOptions(null, null, null, null, null);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(broker.amqpUri());
        String queue = "spool-test";
        try (Connection c = factory.newConnection();
                Channel channel = c.createChannel()) {
            channel.exchangeDeclare(RabbitMqSink.EXCHANGE, "topic", true);
            channel.queueDeclare(queue, true, false, false, null);
            channel.queueBind(queue, RabbitMqSink.EXCHANGE, "spooled.#");
        }

        broker.stopApp();
        FakeServices build1 = new FakeServices(workspace, new DefaultEngineFactory(), config, "1");
        List<DeploymentEvent> sent = new ArrayList<>();
        try (Session s = Session.open(build1, events)) {
            for (int i = 0; i < 3; i++) {
                DeploymentEvent event = DeploymentEvent.of(
                        "spooled", "1", "event " + i, new EventDetails.ApprovalRequested("http://jenkins/job/x/1/"));
                sent.add(event);
                s.publish(event);
            }
        } // the step ends with the broker down: 30 s of waiting, then the events stay spooled
        Path build1Dir = workspace.resolve(".builds/1");
        List<Path> left = spools(build1Dir);
        assertThat(left).as("spools kept in build 1's directory").hasSize(1);
        assertThat(Files.readAllLines(left.get(0))).hasSize(3);

        broker.startApp();
        FakeServices build2 = new FakeServices(workspace, new DefaultEngineFactory(), config, "2");
        try (Session s = Session.open(build2, events)) {
            s.publish(DeploymentEvent.of(
                    "spooled", "2", "build 2's own", new EventDetails.ApprovalRequested("http://jenkins/job/x/2/")));
        }
        List<String> received = new ArrayList<>();
        try (Connection c = factory.newConnection();
                Channel channel = c.createChannel()) {
            for (GetResponse m; (m = channel.basicGet(queue, true)) != null; ) {
                received.add(EventJson.parse(m.getBody()).message());
            }
        }
        assertThat(received).containsSubsequence("event 0", "event 1", "event 2", "build 2's own");
        assertThat(spools(build1Dir))
                .as("build 1's spool, taken over and emptied")
                .isEmpty();
        assertThat(spools(workspace.resolve(".builds/2")))
                .as("build 2's spool, confirmed and removed")
                .isEmpty();
    }

    private static List<Path> spools(Path buildDir) throws Exception {
        if (!Files.isDirectory(buildDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(buildDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(EventSpools.SUFFIX))
                    .toList();
        }
    }
}
