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
    /** A call of a method the localizer generates: Messages.Key_name(…) or Messages._Key_name(…) (the Localizable). */
    private static final Pattern USE = Pattern.compile("\\bMessages\\._?([A-Za-z0-9_]+)\\(");

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
        // the localizer's method name for a key: '.' and '-' become '_'
        Set<String> keys = new TreeSet<>();
        properties.stringPropertyNames().forEach(key -> keys.add(key.replaceAll("[.-]", "_")));
        assertThat(used).isNotEmpty();
        assertThat(keys).containsAll(used);
        Set<String> unused = new TreeSet<>(keys);
        unused.removeAll(used);
        assertThat(unused).as("keys no code uses").isEmpty();
    }

    @Test
    void formatsWithMessageFormatRules() {
        assertThat(Messages.Validation_dnsLabel("version", "1.0")).contains("'-'");
        assertThat(Messages.Approval_notListed("alice"))
                .isEqualTo("Only alice may approve or reject this" + " promotion");
    }
}
