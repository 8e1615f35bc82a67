package io.jenkins.plugins.modeldeploy.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.progress.ProgressSink;
import io.jenkins.plugins.modeldeploy.progress.ProgressSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MmdebstrapProgressTest {
    @Test
    void mmdebstrapsInfoLinesBecomeStagesAndAptsGetLinesCountDownloads() {
        List<ProgressSnapshot> readings = new ArrayList<>();
        List<String> finished = new ArrayList<>();
        ProgressSink sink = new ProgressSink() {
            @Override
            public void update(ProgressSnapshot snapshot) {
                readings.add(snapshot);
            }

            @Override
            public void finish(String stage) {
                finished.add(stage);
            }
        };
        AtomicLong now = new AtomicLong();
        MmdebstrapProgress progress = new MmdebstrapProgress(sink, "base python", now::get);
        List<String> expected = new ArrayList<>();
        String[][] script = {
            {"I: chroot architecture amd64 is equal to the host's architecture", "starting (0 s)"},
            {"I: running apt-get update...", "resolving (1 s)"},
            {"Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]", "resolving, 1 files (2 s)"},
            {"I: downloading packages with apt...", "downloading, 1 files (3 s)"},
            {"Get:2 http://deb.debian.org/debian bookworm/main amd64 libc6 [2757 kB]", "downloading, 2 files (4 s)"},
            {"Get:3 http://deb.debian.org/debian bookworm/main amd64 bash [1479 kB]", "downloading, 3 files (5 s)"},
            {"I: extracting archives...", "extracting (6 s)"},
            {"I: installing essential packages...", "installing essential packages (7 s)"},
            {"I: installing remaining packages inside the chroot...", "installing (8 s)"},
            {"Setting up python3 (3.11.2-1+b1) ...", "installing (9 s)"},
            {"I: running --customize-hook in shell: sh -c 'rm -rf \"$1\"/var/lib/apt/lists/*' exec", "customize (10 s)"
            },
            {"I: cleaning package lists and apt cache...", "cleaning (11 s)"},
            {"I: creating tarball...", "writing the tarball (12 s)"},
            {"I: done", "done (13 s)"}
        };
        for (int i = 0; i < script.length; i++) {
            now.set(i * 1_000_000_000L);
            progress.accept(script[i][0]);
            expected.add(script[i][1]);
        }
        progress.finish();
        assertThat(readings).extracting(ProgressSnapshot::text).containsExactlyElementsOf(expected);
        assertThat(readings).allSatisfy(r -> assertThat(r.stage()).isEqualTo("base python"));
        assertThat(finished).containsExactly("base python");
    }
}
