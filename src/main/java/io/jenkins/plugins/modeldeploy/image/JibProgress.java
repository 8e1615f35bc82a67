package io.jenkins.plugins.modeldeploy.image;

import com.google.cloud.tools.jib.event.events.ProgressEvent;
import com.google.cloud.tools.jib.event.progress.Allocation;
import io.jenkins.plugins.modeldeploy.progress.ProgressSink;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Consumer;

/**
 * Turns Jib's progress events into one line: the share of the whole build done, blobs pushed of those to push and
 * their bytes, or the step under way when nothing is pushed (a tar or the daemon).
 *
 * <p>Jib describes its work as a tree of allocations: each node has a number of units, all of which together make
 * one unit of its parent, and an event says that some units of a node are done. A node's {@code getFractionOfRoot}
 * is what one of its units is worth of the root, so the build's done share is the sum over events of units times
 * that worth (the way Jib's own console display adds it up). A blob push is a node {@code pushing blob sha256:…}
 * whose units are the blob's bytes; it is done when its events add up to its units. Events come from Jib's executor
 * threads, concurrently; this only adds to counters and hands the sink a new line (the sink never blocks).
 */
final class JibProgress implements Consumer<ProgressEvent> {
    static final String STAGE = "image";
    private static final String PUSHING = "pushing blob ";

    private final ProgressSink sink;
    private final DoubleAdder done = new DoubleAdder();
    /** Units done so far per allocation that is a blob push (allocations are compared by identity, as Jib does). */
    private final Map<Allocation, AtomicLong> pushes = new ConcurrentHashMap<>();

    private final AtomicLong bytesPushed = new AtomicLong();
    private volatile String step = "starting";

    JibProgress(ProgressSink sink) {
        this.sink = sink;
    }

    @Override
    public void accept(ProgressEvent event) {
        Allocation allocation = event.getAllocation();
        long units = event.getUnits();
        done.add(units * allocation.getFractionOfRoot());
        if (allocation.getDescription().startsWith(PUSHING)) {
            AtomicLong pushed = pushes.computeIfAbsent(allocation, a -> new AtomicLong());
            pushed.addAndGet(units);
            bytesPushed.addAndGet(units);
        } else if (units == 0 && allocation.getParent().isPresent()) {
            // a step announces itself with an event of 0 units when it starts
            step = allocation.getDescription();
        }
        sink.update(STAGE, line());
    }

    /** The line as of now, e.g. {@code 62%: 3/5 blobs, 12.3/48.0 MB} (a blob the registry already has counts as done). */
    String line() {
        double fraction = Math.min(1, done.sum());
        String percent = String.format(Locale.ROOT, "%.0f%%", Math.floor(fraction * 100));
        if (pushes.isEmpty()) {
            return percent + ": " + step;
        }
        long blobs = 0;
        long complete = 0;
        long bytes = 0;
        for (Map.Entry<Allocation, AtomicLong> push : pushes.entrySet()) {
            blobs++;
            bytes += push.getKey().getAllocationUnits();
            if (push.getValue().get() >= push.getKey().getAllocationUnits()) {
                complete++;
            }
        }
        return String.format(
                Locale.ROOT,
                "%s: %d/%d blobs, %s",
                percent,
                complete,
                blobs,
                amounts(Math.min(bytesPushed.get(), bytes), bytes));
    }

    /** {@code 1.5/4.0 MB}, or in kB when the total is under a megabyte (a model's code layer often is). */
    static String amounts(long done, long total) {
        double unit = total < 1_000_000 ? 1e3 : 1e6;
        return String.format(Locale.ROOT, "%.1f/%.1f %s", done / unit, total / unit, unit == 1e3 ? "kB" : "MB");
    }

    /** The build is over: the last line stays. */
    void finish() {
        sink.update(STAGE, line());
        sink.finish(STAGE);
    }
}
