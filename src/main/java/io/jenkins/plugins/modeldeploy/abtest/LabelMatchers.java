package io.jenkins.plugins.modeldeploy.abtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Extra PromQL label matchers added to every query of an A/B test, e.g. {@code cluster="prod",job="traefik"}: behind
 * Thanos, Mimir or a federating Prometheus the same Traefik service name exists once per cluster, and without a
 * matcher the variants' counts would add up every cluster's traffic.
 *
 * <p>The syntax is PromQL's, inside the braces of a selector: {@code name op "value"} separated by commas, with
 * {@code op} one of {@code = != =~ !~}, the name a classic label name and the value a double-quoted string with
 * backslash escapes. Checked when the option is read, so a typo fails before a deployment, naming the option.
 */
public record LabelMatchers(List<Matcher> matchers) {
    public static final LabelMatchers NONE = new LabelMatchers(List.of());

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    public LabelMatchers {
        matchers = List.copyOf(matchers);
    }

    /** One matcher; the value unescaped. */
    public record Matcher(String name, String op, String value) {
        public Matcher {
            Objects.requireNonNull(value, "value");
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("label name " + name + " is not [a-zA-Z_][a-zA-Z0-9_]*");
            }
            if (!List.of("=", "!=", "=~", "!~").contains(op)) {
                throw new IllegalArgumentException("label matcher operator " + op + " is not =, !=, =~ or !~");
            }
        }

        String promql() {
            StringBuilder quoted = new StringBuilder(name).append(op).append('"');
            for (char c : value.toCharArray()) {
                switch (c) {
                    case '"' -> quoted.append("\\\"");
                    case '\\' -> quoted.append("\\\\");
                    case '\n' -> quoted.append("\\n");
                    default -> quoted.append(c);
                }
            }
            return quoted.append('"').toString();
        }
    }

    /**
     * Reads {@code text} (blank: none; braces around it are allowed). The error names {@code option}, where in the
     * text it went wrong and the expected form.
     */
    public static LabelMatchers parse(String option, String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        String body = text.strip();
        if (body.startsWith("{") && body.endsWith("}")) {
            body = body.substring(1, body.length() - 1);
        }
        List<Matcher> parsed = new ArrayList<>();
        int i = skipSpace(body, 0);
        while (i < body.length()) {
            int nameStart = i;
            while (i < body.length() && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) {
                i++;
            }
            String name = body.substring(nameStart, i);
            if (!NAME.matcher(name).matches()) {
                throw invalid(option, text, "a label name ([a-zA-Z_][a-zA-Z0-9_]*) at character " + (nameStart + 1));
            }
            i = skipSpace(body, i);
            String op = body.startsWith("=~", i) || body.startsWith("!=", i) || body.startsWith("!~", i)
                    ? body.substring(i, i + 2)
                    : body.startsWith("=", i) ? "=" : null;
            if (op == null) {
                throw invalid(option, text, "=, !=, =~ or !~ after " + name);
            }
            i = skipSpace(body, i + op.length());
            if (i >= body.length() || body.charAt(i) != '"') {
                throw invalid(option, text, "a double-quoted value after " + name + op);
            }
            StringBuilder value = new StringBuilder();
            i++;
            boolean closed = false;
            while (i < body.length()) {
                char c = body.charAt(i++);
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < body.length()) {
                    // PromQL strings take Go's escapes; an unknown one (\. in a regex) is an error there, and
                    // reading it as the bare character would silently turn a literal dot into a wildcard.
                    char escaped = body.charAt(i++);
                    switch (escaped) {
                        case '\\', '"' -> value.append(escaped);
                        case 'n' -> value.append('\n');
                        case 't' -> value.append('\t');
                        default ->
                            throw invalid(
                                    option,
                                    text,
                                    "a known escape (\\\\, \\\", \\n or \\t) in the value of " + name + ", not \\"
                                            + escaped + " (a literal dot in a regex is \\\\.)");
                    }
                } else {
                    value.append(c);
                }
            }
            if (!closed) {
                throw invalid(option, text, "a closing \" for the value of " + name);
            }
            parsed.add(new Matcher(name, op, value.toString()));
            i = skipSpace(body, i);
            if (i < body.length()) {
                if (body.charAt(i) != ',') {
                    throw invalid(option, text, "a comma after " + name + op + "\"" + value + "\"");
                }
                i = skipSpace(body, i + 1);
            }
        }
        return new LabelMatchers(parsed);
    }

    private static int skipSpace(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static IllegalArgumentException invalid(String option, String text, String expected) {
        return new IllegalArgumentException(option + " " + text + " is not a list of PromQL label matchers: expected "
                + expected + " (form: name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\", separated"
                + " by commas, e.g. cluster=\"prod\",job=\"traefik\")");
    }

    public boolean isEmpty() {
        return matchers.isEmpty();
    }

    /** The matchers to append inside a selector's braces, each preceded by a comma; empty when none. */
    String selectorSuffix() {
        return matchers.stream().map(m -> "," + m.promql()).collect(Collectors.joining());
    }

    /** The matchers as PromQL text ({@code cluster="prod",job="traefik"}); parsed back to equal matchers. */
    @Override
    public String toString() {
        return matchers.stream().map(Matcher::promql).collect(Collectors.joining(","));
    }
}
