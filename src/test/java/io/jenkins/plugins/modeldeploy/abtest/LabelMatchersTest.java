package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelMatchersTest {
    @Test
    void readsPromqlMatchersWithOrWithoutBraces() {
        LabelMatchers matchers = LabelMatchers.parse(
                "--prometheus-matchers", " { cluster = \"prod\", job=~\"traefik|ingress\" ," + " zone!=\"a\\\"b\" } ");

        assertThat(matchers.matchers())
                .containsExactly(
                        new LabelMatchers.Matcher("cluster", "=", "prod"),
                        new LabelMatchers.Matcher("job", "=~", "traefik|ingress"),
                        new LabelMatchers.Matcher("zone", "!=", "a\"b"));
        assertThat(matchers.selectorSuffix()).isEqualTo(",cluster=\"prod\",job=~\"traefik|ingress\",zone!=\"a\\\"b\"");
        assertThat(LabelMatchers.parse("x", matchers.toString())).isEqualTo(matchers);
        assertThat(LabelMatchers.parse("x", "  ")).isEqualTo(LabelMatchers.NONE);
        assertThat(LabelMatchers.parse("x", null).selectorSuffix()).isEmpty();
    }

    @Test
    void namesTheOptionAndWhatWasExpected() {
        for (var bad : List.of(
                List.of("cluster=prod", "a double-quoted value after cluster="),
                List.of("cluster:\"prod\"", "=, !=, =~ or !~ after cluster"),
                List.of("1cluster=\"prod\"", "a label name"),
                List.of("cluster=\"prod\" job=\"t\"", "a comma after cluster=\"prod\""),
                List.of("cluster=\"prod", "a closing \" for the value of cluster"),
                List.of(
                        "instance=~\"node\\.1\"",
                        "a known escape (\\\\, \\\", \\n or \\t) in the value of instance,"
                                + " not \\. (a literal dot in a regex is \\\\.)"))) {
            assertThatThrownBy(() -> LabelMatchers.parse("--prometheus-matchers", bad.get(0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--prometheus-matchers " + bad.get(0) + " is not a list of PromQL label"
                            + " matchers: expected " + bad.get(1))
                    .hasMessageContaining("e.g. cluster=\"prod\",job=\"traefik\"");
        }
    }

    @Test
    void knownEscapesAreRead() {
        // \\ is one backslash in the regex (a literal dot), written back escaped in the query
        assertThat(LabelMatchers.parse("x", "instance=~\"node\\\\.1\"").selectorSuffix())
                .isEqualTo(",instance=~\"node\\\\.1\"");
    }
}
