package io.jenkins.plugins.modeldeploy.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Shows a {@link ProgressSink}'s readings on its own schedule, so that producers only swap a reference:
 *
 * <ul>
 *   <li>{@link Mode#TERMINAL}: one live line, rewritten in place ({@code \r}, then clear to the end of the line) at
 *       most once per interval (1 s), as docker and pip do; a stage's final line stays.
 *   <li>{@link Mode#LOG}: a build log or a pipe cannot rewrite, so a plain line at most once per interval (5 s by
 *       default) and the final line; work shorter than the interval shows only its final line.
 *   <li>{@link Mode#SILENT}: nothing ({@code --output json}: stdout stays one JSON document and stderr keeps only
 *       what scripts read there).
 * </ul>
 *
 * A daemon thread ticks a few times per interval and writes when a new reading is due; {@link #finish} and {@link
 * #close} write on the caller's thread, once, at the end of a stage.
 */
public final class ProgressDisplay implements ProgressSink, AutoCloseable {
    /** Where and how readings are shown. */
    public enum Mode {
        TERMINAL,
        LOG,
        SILENT
    }

    /** ANSI "erase to end of line": a shorter reading must not leave the tail of a longer one on screen. */
    static final String CLEAR_TO_END = "\u001b[K";

    public static final Duration TERMINAL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration LOG_INTERVAL = Duration.ofSeconds(5);

    private final Mode mode;
    private final Consumer<String> output;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final int columns;
    private final AtomicReference<ProgressSnapshot> latest = new AtomicReference<>();
    private ScheduledExecutorService ticker;

    // guarded by this
    private String shown;
    private boolean liveLineOpen;
    private long lastWrite;
    private boolean wroteSinceStageStart;

    /**
     * @param output receives raw text: on a terminal with the {@code \r} and escape codes and without a newline until
     *               a line is final; in a log one whole line per call (without its newline)
     * @param clock  nanoseconds, {@link System#nanoTime()} outside tests
     */
    ProgressDisplay(Mode mode, Consumer<String> output, Duration interval, LongSupplier clock) {
        this(mode, output, interval, clock, 0);
    }

    /** @param columns the terminal's width: a live line is cut to fit it; 0 for no limit */
    ProgressDisplay(Mode mode, Consumer<String> output, Duration interval, LongSupplier clock, int columns) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.output = Objects.requireNonNull(output, "output");
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.columns = columns;
        this.lastWrite = clock.getAsLong();
    }

    /**
     * The live line on a terminal, written to {@code terminal} (stderr: stdout stays the command's result).
     *
     * @param columns the terminal's width (0: unknown): a live line longer than it would wrap, and {@code \r} would
     *                then rewrite only its last row, leaving the others behind on every tick; so it is cut to fit,
     *                and only the final line, which is not rewritten, is shown whole
     */
    public static ProgressDisplay terminal(PrintWriter terminal, int columns) {
        return new ProgressDisplay(
                        Mode.TERMINAL,
                        text -> {
                            terminal.print(text);
                            terminal.flush();
                        },
                        TERMINAL_INTERVAL,
                        System::nanoTime,
                        columns)
                .start();
    }

    /** A line every {@code every} in a log (a build log, or stderr that is not a terminal). */
    public static ProgressDisplay log(Consumer<String> lines, Duration every) {
        return new ProgressDisplay(Mode.LOG, lines, every, System::nanoTime).start();
    }

    /** Shows nothing. */
    public static ProgressDisplay silent() {
        return new ProgressDisplay(Mode.SILENT, text -> {}, LOG_INTERVAL, System::nanoTime);
    }

    public Mode mode() {
        return mode;
    }

    /** Ticks often enough that a due reading is shown within a tenth of the interval. */
    ProgressDisplay start() {
        if (mode == Mode.SILENT) {
            return this;
        }
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), intervalNanos / 10);
        ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "model-deploy-progress");
            thread.setDaemon(true); // never keeps a finished command alive
            return thread;
        });
        ticker.scheduleAtFixedRate(this::tickQuietly, period, period, TimeUnit.NANOSECONDS);
        return this;
    }

    @Override
    public void update(ProgressSnapshot snapshot) {
        if (mode != Mode.SILENT) {
            latest.set(snapshot);
        }
    }

    /** Writes the latest reading if it is new and the interval since the last write has passed. */
    synchronized void tick() {
        ProgressSnapshot snapshot = latest.get();
        if (snapshot == null) {
            return;
        }
        String line = snapshot.line();
        long now = clock.getAsLong();
        boolean due = now - lastWrite >= intervalNanos
                // on a terminal the first reading of a stage shows at once: only rewrites are rate-limited
                || (mode == Mode.TERMINAL && !wroteSinceStageStart);
        if (!due || line.equals(shown)) {
            return;
        }
        if (mode == Mode.TERMINAL) {
            output.accept("\r" + fit(line) + CLEAR_TO_END);
            liveLineOpen = true;
        } else {
            output.accept(line);
        }
        shown = line;
        lastWrite = now;
        wroteSinceStageStart = true;
    }

    /** The line cut to one row short of the terminal's width (the cursor's column after it must not wrap either). */
    private String fit(String line) {
        if (columns <= 0 || line.length() < columns) {
            return line;
        }
        return line.substring(0, Math.max(0, columns - 4)) + "...";
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            // a broken output (a lost agent channel) is not the work's failure: the work goes on, unshown; an
            // exception escaping here would only cancel the schedule silently
            ticker.shutdown();
        }
    }

    @Override
    public synchronized void finish(String stage) {
        ProgressSnapshot snapshot = latest.get();
        if (snapshot != null && snapshot.stage().equals(stage)) {
            writeFinal(snapshot.line());
            latest.compareAndSet(snapshot, null);
        } else if (liveLineOpen && mode == Mode.TERMINAL) {
            // another stage's line is live; it stays as it is and the next output starts below it
            output.accept("\n");
            liveLineOpen = false;
        }
        shown = null;
        wroteSinceStageStart = false;
        lastWrite = clock.getAsLong();
    }

    private void writeFinal(String line) {
        if (mode == Mode.TERMINAL) {
            output.accept("\r" + line + CLEAR_TO_END + "\n");
            liveLineOpen = false;
        } else if (mode == Mode.LOG && !line.equals(shown)) {
            output.accept(line);
        }
    }

    /** Stops the ticker; a reading still pending (work that failed before finishing its stage) is shown as final. */
    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        synchronized (this) {
            ProgressSnapshot snapshot = latest.getAndSet(null);
            if (snapshot != null) {
                writeFinal(snapshot.line());
            } else if (liveLineOpen) {
                output.accept("\n");
                liveLineOpen = false;
            }
        }
    }
}
