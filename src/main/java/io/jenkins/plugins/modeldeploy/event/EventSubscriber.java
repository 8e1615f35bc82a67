package io.jenkins.plugins.modeldeploy.event;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Receives events from the bus: binds a queue to {@value RabbitMqSink#EXCHANGE} for one model (or all), parses each
 * message and hands it on once, dropping republished duplicates by event id.
 *
 * <p>A connection the broker closes or loses (a broker restart, {@code rabbitmqctl close_all_connections}, a network
 * cut) is re-opened with exponential back-off ({@link #FIRST_RETRY} doubling up to {@link #LAST_RETRY}), each step
 * reported to the {@code problems} consumer, and consuming resumes on the same queue. The client library's own
 * automatic recovery stays off ({@link AmqpSettings}): it re-creates server-named queues under new names and reports
 * nothing, which is how a tail once went silent while its events piled up in the old queue.
 *
 * <p>The queue outlives a connection so that what is published while we reconnect is delivered afterwards: the
 * default private queue is durable, named for this subscriber, expires {@link #PRIVATE_QUEUE_EXPIRY} after its last
 * consumer went (RabbitMQ's {@code x-expires} queue argument, so a killed tail leaves nothing behind for long) and is
 * deleted by {@link #close()}. Messages a lost connection had not acknowledged are redelivered and dropped as
 * duplicates by id.
 */
public final class EventSubscriber implements AutoCloseable {
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration LAST_RETRY = Duration.ofSeconds(15);
    static final Duration PRIVATE_QUEUE_EXPIRY = Duration.ofMinutes(10);
    private static final int REMEMBERED_IDS = 100_000;

    private final AmqpSettings settings;
    private final String model;
    private final String queue;
    private final boolean privateQueue;
    private final ScheduledExecutorService reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "model-deploy events tail reconnect");
        thread.setDaemon(true);
        return thread;
    });
    private final Object lock = new Object();
    private final Map<UUID, Boolean> seen = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > REMEMBERED_IDS;
        }
    };

    // guarded by lock
    private Connection connection;
    private Channel channel;
    private Consumer<DeploymentEvent> handler;
    private Consumer<String> problems = problem -> {};
    private boolean closed;

    private EventSubscriber(AmqpSettings settings, String model, String queue, boolean privateQueue) {
        this.settings = settings;
        this.model = model;
        this.queue = queue;
        this.privateQueue = privateQueue;
    }

    /**
     * @param model only this model's events, or null for all
     * @param queueName a durable queue to use (kept between runs), or null for a private queue that ends with us
     * @throws EventBusException when the broker cannot be reached now or refuses the credentials (a first connection
     *     fails fast; only an established subscription reconnects)
     */
    public static EventSubscriber open(AmqpSettings settings, String model, String queueName)
            throws EventBusException, IOException {
        EventSubscriber subscriber = queueName == null
                ? new EventSubscriber(settings, model, "model-deploy.tail." + UUID.randomUUID(), true)
                : new EventSubscriber(settings, model, queueName, false);
        synchronized (subscriber.lock) {
            try {
                subscriber.connect();
            } catch (AuthenticationFailureException e) {
                throw settings.credentialsRefused();
            } catch (IOException | TimeoutException e) {
                throw new EventBusException("RabbitMQ at " + settings.redacted() + " is unreachable: " + describe(e));
            }
        }
        return subscriber;
    }

    public String queue() {
        return queue;
    }

    /**
     * Delivers events to {@code handler} on the client's thread until {@link #close()}; {@code problems} hears of
     * skipped messages, a lost connection and each reconnection attempt.
     */
    public void start(Consumer<DeploymentEvent> handler, Consumer<String> problems) throws IOException {
        synchronized (lock) {
            this.handler = handler;
            this.problems = problems;
            consume(channel);
        }
    }

    // guarded by lock
    private void connect() throws IOException, TimeoutException {
        Connection opened = settings.connectionFactory().newConnection("model-deploy events tail");
        try {
            Channel opening = opened.createChannel();
            opening.exchangeDeclare(RabbitMqSink.EXCHANGE, BuiltinExchangeType.TOPIC, true);
            Map<String, Object> arguments = privateQueue ? Map.of("x-expires", PRIVATE_QUEUE_EXPIRY.toMillis()) : null;
            opening.queueDeclare(queue, true, false, false, arguments);
            opening.queueBind(queue, RabbitMqSink.EXCHANGE, model == null ? "#" : model + ".#");
            opening.basicQos(256);
            if (handler != null) {
                consume(opening);
            }
            opened.addShutdownListener(this::lost);
            connection = opened;
            channel = opening;
        } catch (IOException | RuntimeException e) {
            opened.abort(2_000);
            throw e;
        }
    }

    // guarded by lock
    private void consume(Channel on) throws IOException {
        on.basicConsume(
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
                    on.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                },
                tag -> problems.accept("the broker cancelled the subscription to " + queue));
    }

    /** The connection's shutdown listener: anything but our own close starts reconnecting. */
    private void lost(ShutdownSignalException cause) {
        synchronized (lock) {
            if (closed || cause.isInitiatedByApplication()) {
                return;
            }
            problems.accept("lost the connection to RabbitMQ at " + settings.redacted() + " (" + describe(cause)
                    + "); reconnecting in " + seconds(FIRST_RETRY));
            schedule(FIRST_RETRY);
        }
    }

    // guarded by lock
    private void schedule(Duration delay) {
        reconnector.schedule(() -> attempt(delay), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void attempt(Duration waited) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                connect();
                problems.accept(
                        "reconnected to RabbitMQ at " + settings.redacted() + "; consuming queue " + queue + " again");
            } catch (IOException | TimeoutException | RuntimeException e) {
                Duration next = waited.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : waited.multipliedBy(2);
                problems.accept("reconnecting to RabbitMQ at " + settings.redacted() + " failed (" + describe(e)
                        + "); next attempt in " + seconds(next));
                schedule(next);
            }
        }
    }

    private static String seconds(Duration delay) {
        return String.format(Locale.ROOT, "%.1f s", delay.toMillis() / 1000.0);
    }

    private static String describe(Throwable e) {
        if (e instanceof ShutdownSignalException signal && signal.getReason() != null) {
            // e.g. "connection.close: 320 CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'"
            return signal.getReason().protocolMethodName() + " "
                    + (e.getMessage() == null ? "" : e.getMessage().replaceFirst("^.*reply-text=", ""))
                            .replaceFirst(", class-id=.*$", "");
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null
                ? root.getClass().getSimpleName() + ": " + root.getMessage()
                : root.getClass().getSimpleName();
    }

    @Override
    public void close() {
        reconnector.shutdownNow();
        Connection open;
        synchronized (lock) {
            closed = true;
            open = connection;
            if (privateQueue && channel != null && channel.isOpen()) {
                try {
                    channel.queueDelete(queue); // the private queue ends with us (x-expires covers a killed tail)
                } catch (IOException | RuntimeException e) {
                    problems.accept("could not delete queue " + queue + " (it expires in "
                            + PRIVATE_QUEUE_EXPIRY.toMinutes() + " min): " + describe(e));
                }
            }
        }
        if (open != null) {
            open.abort(2_000); // outside the lock: the connection's thread may be waiting for it in lost()
        }
    }
}
