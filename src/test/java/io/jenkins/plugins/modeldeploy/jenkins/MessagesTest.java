package io.jenkins.plugins.modeldeploy.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every message key the adapters use exists in Messages.properties, and every key there is used. */
class MessagesTest {
    private static final Pattern USE =
            Pattern.compile("(?:Messages\\.(?:format|localizable)|problem)\\(\\s*\"([^\"]+)\"");

    @Test
    void keysInCodeAndPropertiesMatch() throws IOException {
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/jenkins/plugins/modeldeploy/jenkins"))) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                Matcher m = USE.matcher(Files.readString(file));
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        Properties properties = new Properties();
        try (var in = Messages.class.getResourceAsStream("Messages.properties")) {
            properties.load(in);
        }
        assertThat(used).isNotEmpty();
        assertThat(properties.stringPropertyNames()).containsAll(used);
        Set<String> unused = new TreeSet<>(properties.stringPropertyNames());
        unused.removeAll(used);
        assertThat(unused).as("keys no code uses").isEmpty();
    }

    @Test
    void formatsWithMessageFormatRules() {
        assertThat(Messages.format("Validation.dnsLabel", "version", "1.0")).contains("'-'");
        assertThat(Messages.format("Approval.notListed", "alice")).isEqualTo("Only alice may approve or reject this"
                + " promotion");
    }
}
