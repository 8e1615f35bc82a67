package io.jenkins.plugins.modeldeploy.smoke;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A payload file that is not JSON is reported by name and position, never by its content (issue #15, item 4). */
class PayloadsParseErrorTest {
    @Test
    void aFileThatIsNotJsonIsNamedWithItsPositionOnly(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("passwd.json"), "root:x:0:0:root:/root:/bin/bash\n");
        assertThatThrownBy(() -> Payloads.read(dir, List.of(Path.of("passwd.json"))))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("payload passwd.json: malformed JSON at line 1, column ")
                .hasMessageNotContaining("root")
                .hasMessageNotContaining("bash");
    }
}
