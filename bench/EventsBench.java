import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.jenkins.plugins.modeldeploy.event.AmqpSettings;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.event.EventJson;
import io.jenkins.plugins.modeldeploy.event.RabbitMqSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Confirmed persistent events per second: model-deploy's RabbitMQ sink (streamed publisher confirms, every event
 * individually confirmed) against the batch-confirm baseline (the same library, batches of 100 with
 * waitForConfirmsOrDie). Run by bench/events.sh against a private broker.
 */
public class EventsBench {
    public static void main(String[] args) throws Exception {
        String uri = args[0];
        int count = Integer.parseInt(args.length > 1 ? args[1] : "20000");
        int rounds = 3;
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(uri);
        try (Connection connection = factory.newConnection(); Channel admin = connection.createChannel()) {
            admin.exchangeDeclare(RabbitMqSink.EXCHANGE, "topic", true);
            admin.queueDeclare("bench-events", true, false, false, null);
            admin.queueBind("bench-events", RabbitMqSink.EXCHANGE, "bench.#");
            List<Double> ours = new ArrayList<>();
            List<Double> baseline = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                admin.queuePurge("bench-events");
                ours.add(ourSink(uri, events(count)));
                admin.queuePurge("bench-events");
                baseline.add(batchConfirm(factory, events(count)));
            }
            admin.queuePurge("bench-events");
            double bestOurs = ours.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            double bestBaseline = baseline.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            System.out.printf(Locale.ROOT, "| publisher | events/s per round (%d events, persistent, durable queue) | best |%n",
                    count);
            System.out.printf(Locale.ROOT, "|---|---|---:|%n");
            System.out.printf(Locale.ROOT, "| model-deploy RabbitMqSink (streamed confirms, per event) | %s | %.0f |%n",
                    format(ours), bestOurs);
            System.out.printf(Locale.ROOT, "| baseline: batches of 100 + waitForConfirmsOrDie | %s | %.0f |%n",
                    format(baseline), bestBaseline);
            System.out.printf(Locale.ROOT, "%n- ours / baseline (best of %d): %.2fx (goal >= 1.0x)%n", rounds,
                    bestOurs / bestBaseline);
        }
    }

    static List<DeploymentEvent> events(int count) {
        List<DeploymentEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(DeploymentEvent.of("bench", "1", "ready " + i + "/" + count,
                    new EventDetails.RolloutProgress("ready", i, count)));
        }
        return events;
    }

    static double ourSink(String uri, List<DeploymentEvent> events) throws Exception {
        Path spool = Files.createTempFile("bench-spool", ".jsonl");
        RabbitMqSink sink = RabbitMqSink.open(AmqpSettings.parse(uri), spool, problem -> System.err.println(problem),
                event -> { });
        long start = System.nanoTime();
        for (DeploymentEvent event : events) {
            sink.accept(event);
        }
        if (!sink.close(Duration.ofMinutes(2)) || sink.confirmed() < events.size()) {
            throw new IllegalStateException("not every event was confirmed");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.deleteIfExists(spool);
        return events.size() / seconds;
    }

    static double batchConfirm(ConnectionFactory factory, List<DeploymentEvent> events) throws Exception {
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            long start = System.nanoTime();
            int inBatch = 0;
            for (DeploymentEvent event : events) {
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json")
                        .deliveryMode(2).messageId(event.id().toString()).type(event.type()).build();
                channel.basicPublish(RabbitMqSink.EXCHANGE, event.routingKey(), true, properties,
                        EventJson.toBytes(event));
                if (++inBatch == 100) {
                    channel.waitForConfirmsOrDie(60_000);
                    inBatch = 0;
                }
            }
            channel.waitForConfirmsOrDie(60_000);
            return events.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    static String format(List<Double> rates) {
        return String.join(", ", rates.stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).toList());
    }
}
