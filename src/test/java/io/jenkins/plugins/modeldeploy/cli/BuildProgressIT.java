package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.testing.LocalRegistry;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push to a real registry shows Jib's progress as its final line on stderr (not a terminal here: plain lines), every
 * blob done and every byte accounted for; {@code --output json} shows none of it.
 */
class BuildProgressIT {
    @TempDir
    Path dir;

    @Test
    void aPushEndsWithEveryBlobAndByteDoneAndJsonShowsNoProgress() throws Exception {
        Path model = ExampleModels.copy(TestModels.examplesRoot(), ExampleModels.IRIS_PYTHON, dir);
        Files.write(model.resolve("model.pkl"), new byte[1024]);
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), null, null)) {
            String repository = registry.host() + "/models/iris";
            List<String> common = List.of(
                    "build",
                    model.toString(),
                    "--image",
                    repository,
                    "--base-image",
                    "scratch",
                    "--insecure-registry",
                    "--journal-dir",
                    dir.resolve("journal").toString());
            InProcessCli.Run text = InProcessCli.run(with(common, "--version", "1"));
            assertThat(text.exitCode()).as(text.err()).isZero();
            List<String> progress =
                    text.err().lines().filter(l -> l.startsWith("image: ")).toList();
            assertThat(progress).as(text.err()).isNotEmpty();
            System.out.println("build progress lines: " + progress);
            assertThat(progress.get(progress.size() - 1))
                    .as(text.err())
                    .matches("image: 100%: (\\d+)/\\1 blobs, ([0-9.]+)/\\2 (kB|MB)");
            assertThat(text.err()).doesNotContain("\r");

            InProcessCli.Run json = InProcessCli.run(with(common, "--version", "2", "--output", "json"));
            assertThat(json.exitCode()).as(json.err()).isZero();
            assertThat(json.err()).doesNotContain("image: ");
            assertThat(json.out().strip().lines()).hasSize(1);
            new ObjectMapper().readTree(json.out());
        }
    }

    private static String[] with(List<String> common, String... more) {
        return java.util.stream.Stream.concat(common.stream(), java.util.Arrays.stream(more))
                .toArray(String[]::new);
    }
}
