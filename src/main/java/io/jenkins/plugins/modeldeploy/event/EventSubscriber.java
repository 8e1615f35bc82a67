package io.jenkins.plugins.modeldeploy.event;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Receives events from the bus: binds a queue to {@value RabbitMqSink#EXCHANGE} for one model (or all), parses each
 * message and hands it on once, dropping republished duplicates by event id.
 */
public final class EventSubscriber implements AutoCloseable {
    private static final int REMEMBERED_IDS = 100_000;

    private final Connection connection;
    private final Channel channel;
    private final String queue;
    private final Map<UUID, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > REMEMBERED_IDS;
        }
    };

    private EventSubscriber(Connection connection, Channel channel, String queue) {
        this.connection = connection;
        this.channel = channel;
        this.queue = queue;
    }

    /**
     * @param model only this model's events, or null for all
     * @param queueName a durable queue to use (kept between runs), or null for a private queue that ends with us
     */
    public static EventSubscriber open(AmqpSettings settings, String model, String queueName)
            throws EventBusException, IOException {
        Connection connection;
        try {
            connection = settings.connectionFactory().newConnection("model-deploy events tail");
        } catch (AuthenticationFailureException e) {
            throw settings.credentialsRefused();
        } catch (IOException | TimeoutException e) {
            throw new EventBusException("RabbitMQ at " + settings.redacted() + " is unreachable: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        }
        Channel channel = connection.createChannel();
        channel.exchangeDeclare(RabbitMqSink.EXCHANGE, BuiltinExchangeType.TOPIC, true);
        String queue = queueName == null
                ? channel.queueDeclare().getQueue()
                : channel.queueDeclare(queueName, true, false, false, null).getQueue();
        channel.queueBind(queue, RabbitMqSink.EXCHANGE, model == null ? "#" : model + ".#");
        channel.basicQos(256);
        return new EventSubscriber(connection, channel, queue);
    }

    public String queue() {
        return queue;
    }

    /** Delivers events to {@code handler} on the client's thread until {@link #close()}. */
    public void start(Consumer<DeploymentEvent> handler, Consumer<String> problems) throws IOException {
        channel.basicConsume(
                queue,
                false,
                (tag, delivery) -> {
                    try {
                        DeploymentEvent event = EventJson.parse(delivery.getBody());
                        boolean first;
                        synchronized (seen) {
                            first = seen.put(event.id(), Boolean.TRUE) == null;
                        }
                        if (first) {
                            handler.accept(event);
                        }
                    } catch (IOException e) {
                        problems.accept("skipped a message that is not an event: " + e.getMessage());
                    }
                    channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                },
                tag -> problems.accept("the broker cancelled the subscription to " + queue));
    }

    @Override
    public void close() {
        connection.abort(2_000);
    }
}
