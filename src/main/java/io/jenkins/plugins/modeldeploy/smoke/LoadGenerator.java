package io.jenkins.plugins.modeldeploy.smoke;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Open-loop HTTP load on a schedule. Each request has an intended send time and its latency runs from that time,
 * not from when it was actually sent, so queueing behind a slow server is measured rather than hidden (the
 * coordinated-omission correction wrk2 applies).
 *
 * <p>The scheduler thread hands each request to an idle sender thread shortly before its intended time; the sender
 * waits for that instant itself (so the hand-over's thread wake-up does not delay the send), writes the request and
 * reads the answer on its keep-alive connection. Connections are added while every existing one is busy, up to the
 * in-flight cap; a request that must wait for a free connection is counted as a cap hit and keeps its intended time.
 */
public final class LoadGenerator {
    /**
     * A sender sleeps until this close to the intended time, then spins: a parked thread wakes 0.15 ms late at the
     * median and 0.28 ms at the 99th percentile on an idle VM here. The scheduler never spins (it hands over early).
     */
    private static final long SPIN_NANOS = 200_000;
    /** How long before its intended time a request is handed to a sender: covers the sender's wake-up. */
    private static final long HANDOFF_LEAD_NANOS = 1_000_000;

    private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    /**
     * Progress once a second while running, and once more when every answer is in (a display's final line is the
     * run's end, not its last second but one).
     *
     * @param currentRate    requests sent per second since the last reading; at the end the achieved rate after the
     *                       warm-up
     * @param currentP99Ms   p99 of the answers of the last second (warm-up included)
     * @param errors         failed requests so far, warm-up included
     * @param measured       answers measured so far (after the warm-up)
     * @param p50Ms          median latency of the measured answers so far; NaN while none is measured (warm-up)
     * @param p99Ms          p99 latency of the measured answers so far; NaN while none is measured
     */
    public record Progress(
            long sent,
            double currentRate,
            double currentP99Ms,
            long inFlight,
            long errors,
            double elapsedSeconds,
            double durationSeconds,
            long measured,
            double p50Ms,
            double p99Ms) {

        /** One line for a progress display, e.g. {@code 12/30 s: 1200 sent, 100.0 req/s, p50 1.26 ms, ...}. */
        public String describe() {
            String latency = measured == 0
                    ? String.format(Locale.ROOT, "warming up (p99 %.2f ms)", currentP99Ms)
                    : String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms", p50Ms, p99Ms);
            return String.format(
                    Locale.ROOT,
                    "%.0f/%.0f s: %d sent, %.1f req/s, %s, %d errors, %d in flight",
                    Math.floor(elapsedSeconds),
                    durationSeconds,
                    sent,
                    currentRate,
                    latency,
                    errors,
                    inFlight);
        }
    }

    private record Task(long intended, int payload, boolean recorded) {}

    private static final Task STOP = new Task(0, -1, false);

    public LoadResult run(URI target, List<Payload> payloads, LoadProfile profile, Consumer<Progress> progress)
            throws InterruptedException {
        if (payloads.isEmpty()) {
            throw new IllegalArgumentException("at least one payload is needed");
        }
        return new Run(target, payloads, profile).execute(progress);
    }

    /** The state of one run, shared by the scheduler and the sender threads. */
    private static final class Run {
        final URI target;
        final List<Payload> payloads;
        final List<byte[]> requests;
        final LoadProfile profile;
        final int readTimeoutMillis;
        final LinkedTransferQueue<Task> handoff = new LinkedTransferQueue<>();
        final List<Thread> senders = new ArrayList<>();
        final Histogram latency = new SynchronizedHistogram(HIGHEST_MICROS, 3);
        final Histogram window = new SynchronizedHistogram(HIGHEST_MICROS, 3);
        final Histogram sendDelay = new SynchronizedHistogram(HIGHEST_MICROS, 3);
        final Map<Integer, Histogram> perSecond = new ConcurrentHashMap<>();
        final Map<Integer, LongAdder> errorsPerSecond = new ConcurrentHashMap<>();
        final Map<ErrorKind, LongAdder> errors = new EnumMap<>(ErrorKind.class);
        final LongAdder measured = new LongAdder();
        final LongAdder failedSoFar = new LongAdder();
        final AtomicLong inFlight = new AtomicLong();
        final DoubleAdder senderCpu = new DoubleAdder();
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final LongAdder sentInWindow = new LongAdder();
        /** Measured 2xx answers to labelled payloads, scored. */
        final AtomicReference<LabelScore> labels = new AtomicReference<>(LabelScore.NONE);

        volatile long start;
        volatile long measureFrom;
        volatile long endAt;

        Run(URI target, List<Payload> payloads, LoadProfile profile) {
            this.target = target;
            this.payloads = payloads;
            this.requests = payloads.stream()
                    .map(p -> Http1Connection.postRequest(target, "application/json", p.body()))
                    .toList();
            this.profile = profile;
            this.readTimeoutMillis =
                    (int) Math.min(Integer.MAX_VALUE, profile.requestTimeout().toMillis());
            for (ErrorKind kind : ErrorKind.values()) {
                errors.put(kind, new LongAdder());
            }
        }

        LoadResult execute(Consumer<Progress> progress) throws InterruptedException {
            Schedule schedule = profile.schedule();
            long total = schedule.count();
            long schedulerCpuStart = threads.getCurrentThreadCpuTime();
            long warmupNanos = profile.warmup().toNanos();
            start = System.nanoTime() + 20_000_000; // a moment to get the first intended time right
            measureFrom = start + warmupNanos;
            endAt = start + schedule.duration().toNanos();
            long nextProgress = start + 1_000_000_000L;
            long sentAtLastProgress = 0;
            long capHits = 0;
            long measuredScheduled = 0;
            try {
                for (long i = 0; i < total; i++) {
                    long intended = start + schedule.offsetNanos(i);
                    sleepUntil(intended - HANDOFF_LEAD_NANOS);
                    boolean recorded = intended >= measureFrom;
                    if (recorded) {
                        measuredScheduled++;
                    }
                    Task task = new Task(intended, (int) (i % requests.size()), recorded);
                    inFlight.incrementAndGet();
                    if (!handoff.tryTransfer(task)) {
                        if (senders.size() < profile.maxInFlight()) {
                            startSender();
                        } else if (recorded) {
                            capHits++;
                        }
                        handoff.transfer(task);
                    }
                    long now = System.nanoTime();
                    if (now >= nextProgress) {
                        double seconds = (now - nextProgress + 1_000_000_000L) / 1e9;
                        long measuredSoFar = measured.sum();
                        progress.accept(new Progress(
                                i + 1,
                                (i + 1 - sentAtLastProgress) / seconds,
                                window.getValueAtPercentile(99) / 1000.0,
                                inFlight.get(),
                                failedSoFar.sum(),
                                (now - start) / 1e9,
                                schedule.duration().toNanos() / 1e9,
                                measuredSoFar,
                                measuredSoFar == 0 ? Double.NaN : latency.getValueAtPercentile(50) / 1000.0,
                                measuredSoFar == 0 ? Double.NaN : latency.getValueAtPercentile(99) / 1000.0));
                        window.reset();
                        sentAtLastProgress = i + 1;
                        nextProgress = now + 1_000_000_000L;
                    }
                }
            } finally {
                stopSenders();
            }
            long measuredAtEnd = measured.sum();
            double scheduledSeconds = schedule.duration().toNanos() / 1e9;
            progress.accept(new Progress(
                    total,
                    sentInWindow.sum() / Math.max(1e-9, (schedule.duration().toNanos() - warmupNanos) / 1e9),
                    window.getValueAtPercentile(99) / 1000.0,
                    inFlight.get(),
                    failedSoFar.sum(),
                    scheduledSeconds,
                    scheduledSeconds,
                    measuredAtEnd,
                    measuredAtEnd == 0 ? Double.NaN : latency.getValueAtPercentile(50) / 1000.0,
                    measuredAtEnd == 0 ? Double.NaN : latency.getValueAtPercentile(99) / 1000.0));
            double cpuSeconds = (threads.getCurrentThreadCpuTime() - schedulerCpuStart) / 1e9 + senderCpu.sum();
            long measuredCount = measured.sum();
            double measuredSeconds = (schedule.duration().toNanos() - warmupNanos) / 1e9;
            Map<ErrorKind, Long> errorCounts = new EnumMap<>(ErrorKind.class);
            errors.forEach((kind, count) -> {
                if (count.sum() > 0) {
                    errorCounts.put(kind, count.sum());
                }
            });
            double achieved = sentInWindow.sum() / measuredSeconds;
            return new LoadResult(
                    measuredCount,
                    errorCounts,
                    measuredScheduled / measuredSeconds,
                    achieved,
                    measuredSeconds,
                    capHits,
                    senders.size(),
                    cpuSeconds,
                    latency.copy(),
                    sendDelay.copy(),
                    timeline(),
                    labels());
        }

        private LabelScore labels() {
            return labels.get();
        }

        private void score(Payload payload, byte[] body) {
            LabelScore score = LabelScore.of(payload, body);
            if (score.instances() > 0) {
                labels.accumulateAndGet(score, LabelScore::plus);
            }
        }

        private List<TimelinePoint> timeline() {
            List<TimelinePoint> points = new ArrayList<>();
            perSecond.keySet().stream().sorted().forEach(second -> {
                Histogram h = perSecond.get(second);
                points.add(new TimelinePoint(
                        second,
                        h.getTotalCount(),
                        errorsPerSecond.getOrDefault(second, new LongAdder()).sum(),
                        h.getValueAtPercentile(50) / 1000.0,
                        h.getValueAtPercentile(99) / 1000.0,
                        h.getMaxValue() / 1000.0));
            });
            return points;
        }

        private void startSender() {
            Thread sender = new Thread(this::sendLoop, "load-sender-" + senders.size());
            sender.setDaemon(true);
            senders.add(sender);
            sender.start();
        }

        /** Every request already handed over gets its answer or its timeout before the run ends. */
        private void stopSenders() throws InterruptedException {
            for (int i = 0; i < senders.size(); i++) {
                handoff.put(STOP);
            }
            long deadline = System.nanoTime() + profile.requestTimeout().toNanos() + TimeUnit.SECONDS.toNanos(10);
            for (Thread sender : senders) {
                sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (sender.isAlive()) {
                    sender.interrupt();
                    throw new IllegalStateException("a request was still outstanding after its timeout");
                }
            }
        }

        private void sendLoop() {
            Http1Connection connection = null;
            long cpuStart = threads.getCurrentThreadCpuTime();
            try {
                for (Task task = handoff.take(); task != STOP; task = handoff.take()) {
                    waitUntil(task.intended());
                    long sentAt = System.nanoTime();
                    if (sentAt >= measureFrom && sentAt < endAt) {
                        sentInWindow.increment(); // by actual send time: a lagging generator shows a lower rate
                    }
                    if (task.recorded()) {
                        sendDelay.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (sentAt - task.intended()) / 1000)));
                    }
                    ErrorKind error = null;
                    try {
                        if (connection == null) {
                            connection = new Http1Connection(target, CONNECT_TIMEOUT_MILLIS, readTimeoutMillis);
                        }
                        Http1Connection.Response response = connection.exchange(requests.get(task.payload()));
                        if (response.status() / 100 != 2) {
                            error = ErrorKind.STATUS;
                        } else if (!profile.check().accepts(payloads.get(task.payload()), response.body())) {
                            error = ErrorKind.INVALID_BODY;
                        }
                        if (response.status() / 100 == 2 && task.recorded()) {
                            score(payloads.get(task.payload()), response.body());
                        }
                        if (response.closes()) {
                            connection = closed(connection);
                        }
                    } catch (SocketTimeoutException e) {
                        error = connection == null ? ErrorKind.CONNECTION : ErrorKind.TIMEOUT;
                        connection = closed(connection);
                    } catch (IOException | RuntimeException e) {
                        error = ErrorKind.CONNECTION;
                        connection = closed(connection);
                    }
                    complete(task, error);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closed(connection);
                senderCpu.add((threads.getCurrentThreadCpuTime() - cpuStart) / 1e9);
            }
        }

        private void complete(Task task, ErrorKind error) {
            long micros = Math.min(HIGHEST_MICROS, Math.max(0, (System.nanoTime() - task.intended()) / 1000));
            inFlight.decrementAndGet();
            window.recordValue(micros);
            int second = (int) ((task.intended() - start) / 1_000_000_000L);
            perSecond
                    .computeIfAbsent(second, s -> new SynchronizedHistogram(HIGHEST_MICROS, 2))
                    .recordValue(micros);
            if (error != null) {
                failedSoFar.increment();
                errorsPerSecond.computeIfAbsent(second, s -> new LongAdder()).increment();
            }
            if (task.recorded()) {
                measured.increment();
                latency.recordValue(micros);
                if (error != null) {
                    errors.get(error).increment();
                }
            }
        }

        private static Http1Connection closed(Http1Connection connection) {
            if (connection != null) {
                connection.close();
            }
            return null;
        }
    }

    private static void sleepUntil(long deadline) {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
        }
    }

    private static void waitUntil(long deadline) {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > SPIN_NANOS) {
            LockSupport.parkNanos(remaining - SPIN_NANOS);
        }
        while (System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }
}
