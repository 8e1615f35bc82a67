package io.jenkins.plugins.modeldeploy.image;

import io.jenkins.plugins.modeldeploy.progress.ProgressSink;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Reads mmdebstrap's output line by line and shows the base image build stage by stage: {@code resolving} (apt-get
 * update), {@code downloading} (with the number of files fetched so far), {@code extracting}, {@code installing},
 * {@code customize} (the hooks), {@code writing} (the tarball), with the seconds the build has taken. mmdebstrap
 * announces each stage with an {@code I: } line (its {@code info} messages, e.g. {@code I: downloading packages with
 * apt...}); apt's own {@code Get:N} lines count the downloads. Lines it does not know change nothing, so a newer
 * mmdebstrap that words a stage differently shows the previous stage a little longer, never a wrong one.
 */
public final class MmdebstrapProgress implements Consumer<String> {
    /** mmdebstrap's info line that starts a stage, and the stage's name here, in the order they run. */
    private record Stage(String prefix, String name) {}

    private static final List<Stage> STAGES = List.of(
            new Stage("I: running apt-get update", "resolving"),
            new Stage("I: downloading packages", "downloading"),
            new Stage("I: extracting archives", "extracting"),
            new Stage("I: installing essential packages", "installing essential packages"),
            new Stage("I: installing remaining packages", "installing"),
            new Stage("I: running --customize-hook", "customize"),
            new Stage("I: running --chrooted-customize-hook", "customize"),
            new Stage("I: cleaning", "cleaning"),
            new Stage("I: creating tarball", "writing the tarball"),
            new Stage("I: done", "done"));

    private final ProgressSink sink;
    private final String stage;
    private final LongSupplier clock;
    private final long started;
    private String current = "starting";
    private int downloaded;

    /** @param stage the display's stage, e.g. {@code base python} */
    public MmdebstrapProgress(ProgressSink sink, String stage) {
        this(sink, stage, System::nanoTime);
    }

    MmdebstrapProgress(ProgressSink sink, String stage, LongSupplier clock) {
        this.sink = sink;
        this.stage = stage;
        this.clock = clock;
        this.started = clock.getAsLong();
    }

    /** One line of mmdebstrap's output (stdout and stderr together), called by the thread that reads them. */
    @Override
    public void accept(String line) {
        for (Stage known : STAGES) {
            if (line.startsWith(known.prefix())) {
                current = known.name();
            }
        }
        if (line.startsWith("Get:")) {
            downloaded++;
        }
        String text = current.equals("downloading") || (downloaded > 0 && current.equals("resolving"))
                ? String.format(Locale.ROOT, "%s, %d files", current, downloaded)
                : current;
        sink.update(
                stage, String.format(Locale.ROOT, "%s (%d s)", text, (clock.getAsLong() - started) / 1_000_000_000L));
    }

    /** mmdebstrap has ended: the last stage's line stays. */
    public void finish() {
        sink.finish(stage);
    }
}
