package io.jenkins.plugins.modeldeploy.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong(0);
    private final List<String> written = new ArrayList<>();

    private ProgressDisplay display(ProgressDisplay.Mode mode, Duration interval) {
        return new ProgressDisplay(mode, written::add, interval, now::get);
    }

    /** Readings every 100 ms for 3.5 s: a rewrite at most once per second, then the final line kept. */
    @Test
    void terminalRewritesOneLiveLineAtMostOncePerSecondAndKeepsTheFinalLine() {
        ProgressDisplay display = display(ProgressDisplay.Mode.TERMINAL, Duration.ofSeconds(1));
        List<Long> writeTimes = new ArrayList<>();
        for (int i = 0; i <= 35; i++) {
            now.set(i * 100 * MS);
            display.update("smoke", i + " sent");
            int before = written.size();
            display.tick();
            if (written.size() > before) {
                writeTimes.add(now.get());
            }
        }
        assertThat(written)
                .hasSize(4)
                .allSatisfy(text -> assertThat(text)
                        .startsWith("\rsmoke: ")
                        .endsWith(ProgressDisplay.CLEAR_TO_END)
                        .doesNotContain("\n"));
        for (int i = 1; i < writeTimes.size(); i++) {
            assertThat(writeTimes.get(i) - writeTimes.get(i - 1)).isGreaterThanOrEqualTo(1000 * MS);
        }
        assertThat(written.get(0)).isEqualTo("\rsmoke: 0 sent" + ProgressDisplay.CLEAR_TO_END);

        display.finish("smoke");
        assertThat(written).last().isEqualTo("\rsmoke: 35 sent" + ProgressDisplay.CLEAR_TO_END + "\n");
        String screen = String.join("", written);
        assertThat(screen.chars().filter(c -> c == '\r')).hasSize(5);
        assertThat(screen.chars().filter(c -> c == '\n')).hasSize(1);
    }

    @Test
    void terminalDoesNotRewriteAnUnchangedLine() {
        ProgressDisplay display = display(ProgressDisplay.Mode.TERMINAL, Duration.ofSeconds(1));
        display.update("image", "50%");
        display.tick();
        now.set(5000 * MS);
        display.tick();
        assertThat(written).containsExactly("\rimage: 50%" + ProgressDisplay.CLEAR_TO_END);
    }

    /** Readings every 100 ms for 12 s in a log: a plain line every 5 s, then the final one. */
    @Test
    void logWritesAPlainLinePerIntervalAndTheFinalLine() {
        ProgressDisplay display = display(ProgressDisplay.Mode.LOG, Duration.ofSeconds(5));
        for (int i = 0; i <= 120; i++) {
            now.set(i * 100 * MS);
            display.update("A/B", i / 10 + " s");
            display.tick();
        }
        display.finish("A/B");
        assertThat(written).containsExactly("A/B: 5 s", "A/B: 10 s", "A/B: 12 s");
        assertThat(String.join("", written)).doesNotContain("\r").doesNotContain("\u001b");
    }

    @Test
    void logShowsWorkShorterThanTheIntervalOnlyByItsFinalLine() {
        ProgressDisplay display = display(ProgressDisplay.Mode.LOG, Duration.ofSeconds(5));
        for (int i = 0; i < 20; i++) {
            now.set(i * 100 * MS);
            display.update("smoke", i + " sent");
            display.tick();
        }
        display.finish("smoke");
        assertThat(written).containsExactly("smoke: 19 sent");
    }

    @Test
    void silentShowsNothing() {
        ProgressDisplay display = display(ProgressDisplay.Mode.SILENT, Duration.ofSeconds(1));
        for (int i = 0; i < 30; i++) {
            now.set(i * 1000 * MS);
            display.update("smoke", i + " sent");
            display.tick();
        }
        display.finish("smoke");
        display.close();
        assertThat(written).isEmpty();
    }

    @Test
    void closeKeepsTheLineOfAStageThatNeverFinished() {
        ProgressDisplay display = display(ProgressDisplay.Mode.TERMINAL, Duration.ofSeconds(1));
        display.update("image", "40%: 1/3 blobs");
        display.tick();
        display.update("image", "60%: 2/3 blobs");
        display.close();
        assertThat(written)
                .containsExactly(
                        "\rimage: 40%: 1/3 blobs" + ProgressDisplay.CLEAR_TO_END,
                        "\rimage: 60%: 2/3 blobs" + ProgressDisplay.CLEAR_TO_END + "\n");
    }

    /** Producers on several threads only swap a reference; the ticker thread writes. */
    @Test
    void updatesFromManyThreadsWhileTheTickerRuns() throws Exception {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        try (ProgressDisplay display = ProgressDisplay.log(lines::add, Duration.ofMillis(100))) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                Thread thread = new Thread(() -> {
                    for (int i = 0; i < 100_000; i++) {
                        display.update("image", id + "/" + i);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            Thread.sleep(300);
            display.finish("image");
        }
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("image: "));
    }

    /** A live line wider than the terminal would wrap and leave rows behind: cut; the final line stays whole. */
    @Test
    void terminalCutsTheLiveLineToTheWidthButKeepsTheFinalLineWhole() {
        ProgressDisplay display =
                new ProgressDisplay(ProgressDisplay.Mode.TERMINAL, written::add, Duration.ofSeconds(1), now::get, 20);
        display.update("A/B", "champion 1 3800 req, challenger 2 420 req");
        display.tick();
        display.finish("A/B");
        assertThat(written)
                .containsExactly(
                        "\rA/B: champion 1 ..." + ProgressDisplay.CLEAR_TO_END,
                        "\rA/B: champion 1 3800 req, challenger 2 420 req" + ProgressDisplay.CLEAR_TO_END + "\n");
    }
}
