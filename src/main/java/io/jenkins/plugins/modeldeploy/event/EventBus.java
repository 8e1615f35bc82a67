package io.jenkins.plugins.modeldeploy.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Fans events out to sinks. {@link #publish} only enqueues, so a slow or failing sink never blocks or fails the
 * deployment: each sink has its own thread and queue, takes events in publication order, and a sink that throws is
 * reported through {@code problems} and keeps receiving the next events. One bus is one run: every event published
 * without a run id gets the bus's {@link #runId()}.
 */
public final class EventBus implements AutoCloseable {
    private static final Object END = new Object();

    private final List<Lane> lanes = new ArrayList<>();
    private final Consumer<String> problems;
    private final String runId;
    private volatile boolean closed;

    public EventBus(List<EventSink> sinks, Consumer<String> problems) {
        this(sinks, problems, DeploymentEvent.newRunId());
    }

    public EventBus(List<EventSink> sinks, Consumer<String> problems, String runId) {
        this.problems = problems;
        this.runId = runId;
        for (EventSink sink : sinks) {
            lanes.add(new Lane(sink));
        }
    }

    /**
     * Enqueues the event for every sink and returns at once. An event without a run id joins this bus's run; one
     * that has one (relayed from another process's run) keeps it.
     */
    public void publish(DeploymentEvent event) {
        if (closed) {
            throw new IllegalStateException("event bus is closed; cannot publish " + event.type());
        }
        DeploymentEvent stamped = event.runId().isPresent() ? event : event.inRun(runId);
        for (Lane lane : lanes) {
            lane.queue.add(stamped);
        }
    }

    /** The id of the run this bus publishes for, e.g. {@code 20261130T194800Z-3fa9c2}. */
    public String runId() {
        return runId;
    }

    /** Events each sink failed to take so far (by sink name). */
    public Map<String, Long> failures() {
        Map<String, Long> failures = new LinkedHashMap<>();
        lanes.forEach(lane -> failures.put(lane.sink.name(), lane.failures.get()));
        return failures;
    }

    /**
     * Lets every sink take what is queued and finish (confirms, fsync) within {@code timeout} overall; returns false
     * if some sink could not, after reporting which.
     */
    public boolean close(Duration timeout) {
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        lanes.forEach(lane -> lane.queue.add(END));
        boolean complete = true;
        for (Lane lane : lanes) {
            try {
                lane.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (lane.thread.isAlive()) {
                    problems.accept("event sink " + lane.sink.name() + " did not finish within " + timeout.toMillis()
                            + " ms; " + (lane.queue.size() - 1) + " event(s) still queued");
                    lane.thread.interrupt();
                    complete = false;
                    continue;
                }
                Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
                if (!lane.sink.close(left)) {
                    problems.accept("event sink " + lane.sink.name() + " closed with undelivered events");
                    complete = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                problems.accept("event sink " + lane.sink.name() + " failed to close: " + e.getMessage());
                complete = false;
            }
        }
        return complete;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private final class Lane {
        final EventSink sink;
        final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        final AtomicLong failures = new AtomicLong();
        final Thread thread;

        Lane(EventSink sink) {
            this.sink = sink;
            thread = new Thread(this::drain, "event-sink " + sink.name());
            thread.setDaemon(true);
            thread.start();
        }

        private void drain() {
            try {
                for (Object item = queue.take(); item != END; item = queue.take()) {
                    DeploymentEvent event = (DeploymentEvent) item;
                    try {
                        sink.accept(event);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        if (failures.getAndIncrement() == 0) { // first failure in full, then counted
                            problems.accept(
                                    "event sink " + sink.name() + " failed on " + event.type() + ": " + e.getMessage());
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
