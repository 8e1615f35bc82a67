package io.jenkins.plugins.modeldeploy.event;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Publishes events to RabbitMQ so that none is lost: a durable topic exchange {@value #EXCHANGE}, routing key
 * {@code model.version.type}, persistent messages, {@code mandatory} (an event no queue takes is reported, not
 * silently dropped) and publisher confirms. Events not confirmed when the connection breaks, and events accepted
 * while it is down, go to a spool file and are republished in order after reconnecting; a spool left by a crashed
 * process is republished on start. A republished event keeps its id, so consumers de-duplicate by id.
 */
public final class RabbitMqSink implements EventSink {
    public static final String EXCHANGE = "model-deploy.events";
    private static final long RECONNECT_MILLIS = 1_000;
    private static final long SPOOL_SYNC_MILLIS = 100;

    private final AmqpSettings settings;
    private final ConnectionFactory factory;
    private final Path spool;
    private final Consumer<String> problems;
    private final Consumer<DeploymentEvent> unroutable;
    private final Object lock = new Object();
    private final ScheduledExecutorService reconnector;
    /**
     * Published, not yet confirmed, by publish sequence number. Concurrent, not guarded by lock: confirms arrive on
     * the client's connection thread, which must never wait for a publisher blocked on a full socket.
     */
    private final ConcurrentSkipListMap<Long, DeploymentEvent> outstanding = new ConcurrentSkipListMap<>();
    /** Accepted while disconnected, or unconfirmed at a disconnect: to publish, in order. Guarded by lock. */
    private final Deque<DeploymentEvent> backlog = new ArrayDeque<>();

    private final AtomicLong confirmed = new AtomicLong();
    private final AtomicLong returned = new AtomicLong();
    private Connection connection;
    private Channel channel;
    private long lastSpoolSync;
    private boolean reportedDown;

    private RabbitMqSink(
            AmqpSettings settings, Path spool, Consumer<String> problems, Consumer<DeploymentEvent> unroutable) {
        this.settings = settings;
        this.spool = spool;
        this.problems = problems;
        this.unroutable = unroutable;
        factory = settings.connectionFactory(); // no automatic recovery: we republish from the spool, in order
        factory.setRequestedHeartbeat(10);
        reconnector = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "rabbitmq-reconnect " + settings.redacted());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Opens the sink. A broker that refuses the credentials is a configuration error and fails here; one that is
     * unreachable is not: events are spooled and the sink keeps reconnecting.
     *
     * @param spool      the spool file (created when needed); a non-empty one from an earlier run is republished
     * @param unroutable told about every event that no queue took
     */
    public static RabbitMqSink open(
            AmqpSettings settings, Path spool, Consumer<String> problems, Consumer<DeploymentEvent> unroutable)
            throws EventBusException, IOException {
        if (settings.uri().getScheme().equals("amqps")) {
            throw new EventBusException("amqps:// is not supported yet; use amqp:// on a trusted network");
        }
        RabbitMqSink sink = new RabbitMqSink(settings, spool, problems, unroutable);
        Files.createDirectories(Objects.requireNonNull(spool.toAbsolutePath().getParent(), "spool file has a folder"));
        if (Files.exists(spool)) {
            for (String line : Files.readAllLines(spool, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    sink.backlog.add(EventJson.parse(line));
                }
            }
        }
        synchronized (sink.lock) {
            try {
                sink.connect();
            } catch (AuthenticationFailureException e) {
                sink.reconnector.shutdownNow();
                throw settings.credentialsRefused();
            } catch (IOException | TimeoutException e) {
                sink.reportDown(e);
            }
        }
        sink.reconnector.scheduleWithFixedDelay(
                sink::reconnectIfNeeded, RECONNECT_MILLIS, RECONNECT_MILLIS, TimeUnit.MILLISECONDS);
        return sink;
    }

    @Override
    public void accept(DeploymentEvent event) throws IOException {
        synchronized (lock) {
            if (channel != null && channel.isOpen() && backlog.isEmpty()) {
                try {
                    publish(event);
                    return;
                } catch (IOException e) {
                    disconnected(e);
                }
            }
            backlog.addLast(event);
            appendToSpool(event);
        }
    }

    /** Events confirmed by the broker so far. */
    public long confirmed() {
        return confirmed.get();
    }

    /** Events the broker returned as unroutable so far. */
    public long returned() {
        return returned.get();
    }

    /** Events not yet confirmed (published or waiting to be). */
    public int pending() {
        synchronized (lock) {
            return outstanding.size() + backlog.size();
        }
    }

    @Override
    public String name() {
        return "rabbitmq " + settings.redacted();
    }

    /** Waits up to {@code timeout} for every accepted event to be confirmed; what is left stays in the spool. */
    @Override
    public boolean close(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                reconnectIfNeeded();
                if (pending() == 0) {
                    break;
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            reconnector.shutdownNow();
        }
        synchronized (lock) {
            closeConnection();
            boolean complete = backlog.isEmpty();
            if (complete) {
                truncateSpool();
            } else {
                List<DeploymentEvent> left = new ArrayList<>(backlog);
                rewriteSpool(left);
                problems.accept(left.size() + " event(s) not confirmed by " + settings.redacted() + "; kept in " + spool
                        + " for the next run");
            }
            return complete;
        }
    }

    @Override
    public void close() throws IOException {
        close(Duration.ofSeconds(10));
    }

    // --- connection management (all under lock) -----------------------------------------------------------------

    private void connect() throws IOException, TimeoutException {
        Connection newConnection = factory.newConnection("model-deploy events");
        Channel newChannel = newConnection.createChannel();
        newChannel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, true);
        newChannel.confirmSelect();
        newChannel.addConfirmListener(this::acked, this::nacked);
        newChannel.addReturnListener(this::returned);
        newConnection.addShutdownListener(this::shutdown);
        connection = newConnection;
        channel = newChannel;
        if (reportedDown) {
            problems.accept("RabbitMQ at " + settings.redacted() + " is reachable again; republishing " + backlog.size()
                    + " spooled event(s)");
            reportedDown = false;
        }
        while (!backlog.isEmpty()) {
            publish(backlog.peekFirst());
            backlog.removeFirst();
        }
    }

    private void reconnectIfNeeded() {
        synchronized (lock) {
            if (channel != null && channel.isOpen()) {
                try {
                    while (!backlog.isEmpty()) { // events that came in while a reconnect was under way
                        publish(backlog.peekFirst());
                        backlog.removeFirst();
                    }
                } catch (IOException e) {
                    disconnected(e);
                    return;
                }
                if (outstanding.isEmpty() && backlog.isEmpty()) {
                    truncateSpool(); // all confirmed: nothing to republish after a crash
                }
                return;
            }
            closeConnection();
            try {
                connect();
            } catch (AuthenticationFailureException e) {
                reportDown(new IOException("credentials refused (ACCESS_REFUSED)"));
            } catch (IOException | TimeoutException | RuntimeException e) {
                closeConnection();
                reportDown(e);
            }
        }
    }

    private void publish(DeploymentEvent event) throws IOException {
        long sequence = channel.getNextPublishSeqNo();
        outstanding.put(sequence, event);
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2) // persistent
                .messageId(event.id().toString())
                .type(event.type())
                .timestamp(Date.from(event.time()))
                .build();
        try {
            channel.basicPublish(EXCHANGE, event.routingKey(), true, properties, EventJson.toBytes(event));
        } catch (IOException | RuntimeException e) {
            outstanding.remove(sequence);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    private void acked(long sequence, boolean multiple) {
        if (multiple) {
            for (var first = outstanding.firstEntry();
                    first != null && first.getKey() <= sequence;
                    first = outstanding.firstEntry()) {
                if (outstanding.remove(first.getKey()) != null) {
                    confirmed.incrementAndGet();
                }
            }
        } else if (outstanding.remove(sequence) != null) {
            confirmed.incrementAndGet();
        }
    }

    /**
     * The broker could not take these. Start over on a fresh connection: everything unconfirmed is republished in
     * its original order (events already taken come again, with their ids, for consumers to de-duplicate).
     */
    private void nacked(long sequence, boolean multiple) {
        problems.accept(
                "RabbitMQ at " + settings.redacted() + " rejected event(s) up to #" + sequence + "; republishing");
        reconnector.execute(() -> {
            synchronized (lock) {
                if (channel != null) {
                    closeConnection();
                    disconnected(new IOException("broker rejected a publish"));
                }
            }
        });
    }

    private void returned(Return message) {
        returned.incrementAndGet();
        try {
            DeploymentEvent event = EventJson.parse(message.getBody());
            problems.accept("event " + event.type() + " " + event.id() + " was not routed to any queue: no queue is"
                    + " bound to exchange " + EXCHANGE + " for routing key " + message.getRoutingKey() + " ("
                    + message.getReplyText() + ")");
            unroutable.accept(event);
        } catch (IOException e) {
            problems.accept("an unroutable message came back that is not an event: " + e.getMessage());
        }
    }

    private void shutdown(ShutdownSignalException cause) {
        synchronized (lock) {
            if (cause.isInitiatedByApplication() && channel == null) {
                return; // our own close
            }
            disconnected(cause);
        }
    }

    private void disconnected(Exception cause) {
        channel = null;
        requeueUnconfirmed();
        rewriteSpool(new ArrayList<>(backlog));
        reportDown(cause);
    }

    /** Everything published but not confirmed goes back to the front of the backlog, in publish order. */
    private void requeueUnconfirmed() {
        List<DeploymentEvent> unconfirmed = new ArrayList<>(outstanding.values());
        outstanding.clear();
        for (int i = unconfirmed.size() - 1; i >= 0; i--) {
            backlog.addFirst(unconfirmed.get(i));
        }
    }

    private void reportDown(Exception cause) {
        if (!reportedDown) {
            problems.accept("RabbitMQ at " + settings.redacted() + " is unreachable (" + describe(cause)
                    + "); spooling events to " + spool + " and reconnecting every " + RECONNECT_MILLIS + " ms");
            reportedDown = true;
        }
    }

    private static String describe(Exception cause) {
        String message = cause.getMessage();
        if (message == null && cause.getCause() != null) {
            message = cause.getCause().getMessage();
        }
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Drops the connection; whatever it had not confirmed is requeued, so that nothing is lost with it. */
    private void closeConnection() {
        Connection old = connection;
        connection = null;
        channel = null;
        if (old != null) {
            old.abort(1_000);
        }
        requeueUnconfirmed();
    }

    // --- spool (under lock) ----------------------------------------------------------------------------------------

    private void appendToSpool(DeploymentEvent event) throws IOException {
        try (var file = java.nio.channels.FileChannel.open(
                spool, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            file.write(java.nio.ByteBuffer.wrap((EventJson.toLine(event) + "\n").getBytes(StandardCharsets.UTF_8)));
            long now = System.currentTimeMillis();
            if (event.details().endsPhase() || now - lastSpoolSync >= SPOOL_SYNC_MILLIS) {
                file.force(false);
                lastSpoolSync = now;
            }
        }
    }

    private void rewriteSpool(List<DeploymentEvent> events) {
        try {
            Path temp = spool.resolveSibling(spool.getFileName() + ".tmp");
            StringBuilder lines = new StringBuilder();
            events.forEach(e -> lines.append(EventJson.toLine(e)).append('\n'));
            try (var file = java.nio.channels.FileChannel.open(
                    temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                file.write(java.nio.ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8)));
                file.force(false);
            }
            Files.move(
                    temp,
                    spool,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            problems.accept("cannot write the event spool " + spool + ": " + e.getMessage());
        }
    }

    private void truncateSpool() {
        try {
            if (Files.exists(spool) && Files.size(spool) > 0) {
                Files.write(spool, new byte[0]);
            }
        } catch (IOException e) {
            problems.accept("cannot truncate the event spool " + spool + ": " + e.getMessage());
        }
    }
}
