package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Prediction logging by version: a {@link PredictionSink} that samples answered predictions, queues them boundedly and
 * has one thread turn them into JSON Lines records and hand them, in batches, to an {@link Output} (a file per version
 * or a RabbitMQ exchange).
 *
 * <p>A record is {@code {"time", "model", "version", "route", "requestId", "status", "latencyMs", "request",
 * "response"}}; {@code time} is when the writer was handed the answer (ISO-8601 UTC), {@code request} and
 * {@code response} are the parsed JSON bodies, or the body as a string when it is not JSON. Excluded fields are
 * dropped before the record is formatted, so they never reach the output: {@code request} or {@code response} (the
 * whole body), {@code request.KEY} or {@code response.KEY} (a top-level key of a JSON object body, e.g.
 * {@code request.instances}), or another record field ({@code requestId}, {@code latencyMs}, ...). {@code model} and
 * {@code version} cannot be excluded: the outputs route by them.
 *
 * <p>{@link #offer} never blocks serving: a full queue drops the prediction and counts it ({@link #dropped()}), with
 * a notice at most every {@link #NOTICE_INTERVAL}. {@link #close()} writes what is queued and flushes.
 */
public final class PredictionLogWriter implements PredictionSink, AutoCloseable {
    public static final int DEFAULT_CAPACITY = 10_000;

    /**
     * The most request and response bytes the queue holds at once: its capacity counts predictions, and bodies can be
     * large (the gateway takes 16 MiB), so a byte budget bounds its memory too; beyond it predictions are dropped and
     * counted like a full queue.
     */
    static final long MAX_QUEUED_BYTES = 64L << 20;

    public static final Duration NOTICE_INTERVAL = Duration.ofSeconds(10);
    static final Set<String> RECORD_FIELDS =
            Set.of("time", "model", "version", "route", "requestId", "status", "latencyMs", "request", "response");
    private static final int BATCH = 512;
    /** How long the drainer sleeps when the queue is empty. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where records go. Called on the writer's thread only. */
    public interface Output extends AutoCloseable {
        /** Writes one batch of records and makes it durable/visible (flushes). */
        void write(List<LogRecord> batch) throws IOException;

        /** e.g. {@code file /var/log/predictions} */
        String name();

        @Override
        void close() throws IOException;
    }

    /** One formatted record: the JSON line (no newline) and the version it is for. */
    public record LogRecord(String model, String version, String json) {}

    /**
     * What to log where.
     *
     * @param destination {@code file:DIR} or {@code amqp://[user[:password]@]host[:port][/vhost]}
     * @param sampleRate  the share of answered predictions logged, in (0, 1]
     * @param exclude     fields dropped from every record (see the class comment for their form)
     */
    public record Settings(String destination, double sampleRate, List<String> exclude) {
        public Settings {
            exclude = List.copyOf(exclude);
            if (!(sampleRate > 0 && sampleRate <= 1)) {
                throw new IllegalArgumentException("--log-sample must be in (0, 1], was " + sampleRate);
            }
            if (!destination.startsWith("file:") && !destination.startsWith("amqp://")) {
                throw new IllegalArgumentException(
                        "--prediction-log must be file:DIR or amqp://host[:port], was " + redact(destination));
            }
            if (destination.startsWith("file:") && destination.length() == "file:".length()) {
                throw new IllegalArgumentException("--prediction-log file: needs a directory, e.g. file:/var/log/md");
            }
            exclude.forEach(PredictionLogWriter::checkExclude);
        }

        private static String redact(String text) {
            return text.replaceAll("//[^@/]*@", "//***@");
        }
    }

    /** Lock-free, bounded by {@link #size}: a serving thread never waits for the drainer (no shared lock). */
    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();

    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final double sampleRate;
    private final Set<String> excludeRecord;
    private final Set<String> excludeRequest;
    private final Set<String> excludeResponse;
    private final Output output;
    private final Consumer<String> notices;
    private final Clock clock;
    private final Thread drainer;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong lastNotice = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean closing;

    private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();

    private record Entry(Prediction prediction, long epochMillis) {}

    public PredictionLogWriter(
            Output output, double sampleRate, List<String> exclude, int capacity, Consumer<String> notices) {
        this(output, sampleRate, exclude, capacity, notices, Clock.systemUTC());
    }

    PredictionLogWriter(
            Output output,
            double sampleRate,
            List<String> exclude,
            int capacity,
            Consumer<String> notices,
            Clock clock) {
        new Settings("file:checked", sampleRate, exclude); // validates rate and fields
        this.output = output;
        this.sampleRate = sampleRate;
        if (capacity < 1) {
            throw new IllegalArgumentException("the queue's capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
        this.notices = notices;
        this.clock = clock;
        Set<String> record = new java.util.HashSet<>();
        Set<String> request = new java.util.HashSet<>();
        Set<String> response = new java.util.HashSet<>();
        for (String field : exclude) {
            int dot = field.indexOf('.');
            if (dot < 0) {
                record.add(field);
            } else if (field.startsWith("request.")) {
                request.add(field.substring(dot + 1));
            } else {
                response.add(field.substring(dot + 1));
            }
        }
        this.excludeRecord = Set.copyOf(record);
        this.excludeRequest = Set.copyOf(request);
        this.excludeResponse = Set.copyOf(response);
        drainer = new Thread(this::drain, "prediction-log " + output.name());
        drainer.setDaemon(true);
        drainer.start();
    }

    /** Opens the output {@code settings} name and starts a writer on it with the default capacity. */
    public static PredictionLogWriter open(Settings settings, Consumer<String> notices) throws IOException {
        Output output = settings.destination().startsWith("file:")
                ? new FilePredictionOutput(
                        java.nio.file.Path.of(settings.destination().substring("file:".length())))
                : AmqpPredictionOutput.open(settings.destination(), notices);
        return new PredictionLogWriter(output, settings.sampleRate(), settings.exclude(), DEFAULT_CAPACITY, notices);
    }

    static void checkExclude(String field) {
        int dot = field.indexOf('.');
        String head = dot < 0 ? field : field.substring(0, dot);
        if (dot >= 0) {
            if (!head.equals("request") && !head.equals("response")) {
                throw new IllegalArgumentException("--log-exclude " + field + ": only request.KEY and response.KEY"
                        + " name a key inside a record field");
            }
            if (field.length() == dot + 1 || field.indexOf('.', dot + 1) >= 0) {
                throw new IllegalArgumentException(
                        "--log-exclude " + field + ": name one top-level key, e.g. request.instances");
            }
        } else if (field.equals("model") || field.equals("version")) {
            throw new IllegalArgumentException("--log-exclude " + field
                    + ": the record's model and version cannot be excluded (records are" + " routed by them)");
        } else if (!RECORD_FIELDS.contains(field)) {
            throw new IllegalArgumentException("--log-exclude " + field + ": not a record field (one of "
                    + new java.util.TreeSet<>(RECORD_FIELDS) + ", or request.KEY / response.KEY)");
        }
    }

    @Override
    public void offer(Prediction prediction) {
        if (closing || (sampleRate < 1 && ThreadLocalRandom.current().nextDouble() >= sampleRate)) {
            return;
        }
        long bytes = (long) prediction.request().length + prediction.response().length;
        boolean counted = size.incrementAndGet() <= capacity;
        boolean fits = counted && queuedBytes.addAndGet(bytes) <= MAX_QUEUED_BYTES;
        if (fits) {
            queue.add(new Entry(prediction, clock.millis()));
        } else {
            if (counted) {
                queuedBytes.addAndGet(-bytes); // over the byte budget, not the count
            }
            size.decrementAndGet();
            long total = dropped.incrementAndGet();
            long now = System.nanoTime();
            long last = lastNotice.get();
            if ((last == Long.MIN_VALUE || now - last >= NOTICE_INTERVAL.toNanos())
                    && lastNotice.compareAndSet(last, now)) {
                notices.accept("prediction log " + output.name() + ": queue full (" + capacity + "), " + total
                        + " prediction(s) dropped so far");
            }
        }
    }

    /** Predictions dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Records handed to the output. */
    public long written() {
        return written.get();
    }

    /** Records the output failed to take. */
    public long failed() {
        return failed.get();
    }

    /** Predictions queued, not yet written. */
    public int queued() {
        return size.get();
    }

    private void drain() {
        List<Entry> batch = new ArrayList<>(BATCH);
        while (true) {
            Entry entry;
            while (batch.size() < BATCH && (entry = queue.poll()) != null) {
                batch.add(entry);
            }
            if (batch.isEmpty()) {
                if (closing || Thread.currentThread().isInterrupted()) {
                    return;
                }
                LockSupport.parkNanos(IDLE_NANOS);
                continue;
            }
            size.addAndGet(-batch.size());
            long bytes = 0;
            for (Entry queued : batch) {
                bytes += (long) queued.prediction().request().length
                        + queued.prediction().response().length;
            }
            queuedBytes.addAndGet(-bytes);
            writeBatch(batch);
            batch.clear();
        }
    }

    private void writeBatch(List<Entry> batch) {
        List<LogRecord> records = new ArrayList<>(batch.size());
        for (Entry entry : batch) {
            records.add(format(entry));
        }
        try {
            output.write(records);
            written.addAndGet(records.size());
        } catch (IOException | RuntimeException e) {
            long total = failed.addAndGet(records.size());
            notices.accept("prediction log " + output.name() + ": cannot write " + records.size() + " record(s) ("
                    + e.getMessage() + "); " + total + " lost so far");
        }
    }

    LogRecord format(Entry entry) {
        Prediction p = entry.prediction();
        ObjectNode record = JSON.createObjectNode();
        record.put("time", java.time.Instant.ofEpochMilli(entry.epochMillis()).toString());
        record.put("model", p.version().model());
        record.put("version", p.version().version());
        record.put("route", p.route());
        record.put("requestId", p.requestId());
        record.put("status", p.status());
        record.put("latencyMs", Math.round(p.nanos() / 1e3) / 1e3);
        if (!excludeRecord.contains("request")) {
            record.set("request", body(p.request(), excludeRequest));
        }
        if (!excludeRecord.contains("response")) {
            record.set("response", body(p.response(), excludeResponse));
        }
        excludeRecord.forEach(record::remove);
        try {
            return new LogRecord(p.version().model(), p.version().version(), JSON.writeValueAsString(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of parsed JSON always serializes", e);
        }
    }

    private static JsonNode body(byte[] bytes, Set<String> exclude) {
        JsonNode parsed;
        try {
            parsed = bytes.length == 0 ? null : JSON.readTree(bytes);
        } catch (IOException e) {
            parsed = null;
        }
        if (parsed == null) {
            return JSON.getNodeFactory().textNode(new String(bytes, StandardCharsets.UTF_8));
        }
        if (parsed instanceof ObjectNode object) {
            exclude.forEach(object::remove);
        }
        return parsed;
    }

    /** Stops taking predictions, writes what is queued (waiting up to 10 s), flushes and closes the output. */
    @Override
    public void close() {
        closing = true;
        try {
            drainer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (drainer.isAlive()) {
            notices.accept(String.format(
                    Locale.ROOT,
                    "prediction log %s: still writing after 10 s; %d queued prediction(s) not written",
                    output.name(),
                    size.get()));
            drainer.interrupt();
        }
        try {
            output.close();
        } catch (IOException e) {
            notices.accept("prediction log " + output.name() + ": cannot close: " + e.getMessage());
        }
    }
}
