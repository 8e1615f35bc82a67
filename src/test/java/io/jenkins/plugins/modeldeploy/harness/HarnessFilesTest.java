package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HarnessFilesTest {
    @TempDir
    Path cache;

    @Test
    void indexListsEveryHarnessSourceFile() throws IOException {
        Path root = Path.of("src/main/resources/harness");
        try (Stream<Path> files = Files.walk(root.resolve("python"))) {
            assertThat(HarnessFiles.bundled().names())
                    .containsExactlyElementsOf(files.filter(f -> f.toString().endsWith(".py"))
                            .map(f -> root.relativize(f).toString())
                            .sorted()
                            .toList());
        }
    }

    @Test
    void extractsOnceIntoADirectoryNamedByContent() throws IOException {
        HarnessFiles files = HarnessFiles.bundled();
        Path first = files.extractTo(cache);
        assertThat(first.getFileName().toString()).isEqualTo(files.digest().substring(0, 16));
        for (String name : files.names()) {
            assertThat(first.resolve(name)).hasBinaryContent(files.content(name));
        }
        Files.writeString(first.resolve("marker"), "kept");
        assertThat(files.extractTo(cache)).isEqualTo(first);
        assertThat(first.resolve("marker")).hasContent("kept");
        try (Stream<Path> entries = Files.list(cache)) {
            assertThat(entries).containsExactly(first); // no staging directory left behind
        }
    }
}
