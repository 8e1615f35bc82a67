package io.jenkins.plugins.modeldeploy.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What Traefik v3 does with rendered IngressRoutes for one request, for the matchers this project renders: rules of
 * {@code Host}, {@code Path}, {@code PathPrefix}, {@code Header} joined by {@code &&}, {@code ||}, {@code !} and
 * parentheses (traefik/traefik pkg/muxer/http/matcher.go: Header matches one of the header's values exactly, the
 * header name canonicalised; Host ignores case); of the matching routes the one with the highest priority wins, an
 * explicit {@code priority} or else the rule's length (pkg/muxer/http/mux.go:75, GetRulePriority); its stripPrefix
 * middlewares remove the first matching prefix. Written for the tests, from Traefik's documented behaviour.
 */
public final class TraefikRuleMatcher {
    /** Where a request went: the service named by the winning route and the path the service sees. */
    public record Hop(String service, String kind, String path) {}

    private final List<GenericKubernetesResource> objects;

    /** @param objects IngressRoutes and the Middlewares they use (others are ignored) */
    public TraefikRuleMatcher(List<GenericKubernetesResource> objects) {
        this.objects = List.copyOf(objects);
    }

    @SuppressWarnings("unchecked")
    public Optional<Hop> route(String host, String path, Map<String, String> headers) {
        Map<String, Object> best = null;
        long bestPriority = Long.MIN_VALUE;
        for (GenericKubernetesResource object : objects) {
            if (!object.getKind().equals("IngressRoute")) {
                continue;
            }
            Map<String, Object> spec =
                    (Map<String, Object>) object.getAdditionalProperties().get("spec");
            for (Map<String, Object> route : (List<Map<String, Object>>) spec.get("routes")) {
                String match = (String) route.get("match");
                long priority = route.get("priority") instanceof Number n ? n.longValue() : match.length();
                if (priority > bestPriority && new Parser(match, host, path, headers).matches()) {
                    best = route;
                    bestPriority = priority;
                }
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        String forwarded = path;
        for (Map<String, Object> ref : (List<Map<String, Object>>) best.get("middlewares")) {
            forwarded = strip((String) ref.get("name"), forwarded);
        }
        Map<String, Object> service = ((List<Map<String, Object>>) best.get("services")).get(0);
        return Optional.of(new Hop((String) service.get("name"), (String) service.get("kind"), forwarded));
    }

    @SuppressWarnings("unchecked")
    private String strip(String middleware, String path) {
        for (GenericKubernetesResource object : objects) {
            if (object.getKind().equals("Middleware")
                    && object.getMetadata().getName().equals(middleware)) {
                Map<String, Object> spec =
                        (Map<String, Object>) object.getAdditionalProperties().get("spec");
                Map<String, Object> strip = (Map<String, Object>) spec.get("stripPrefix");
                for (String prefix : (List<String>) strip.get("prefixes")) {
                    if (path.startsWith(prefix)) {
                        String rest = path.substring(prefix.length());
                        return rest.startsWith("/") ? rest : "/" + rest;
                    }
                }
            }
        }
        return path;
    }

    /** Recursive descent: or := and ('||' and)*; and := unary ('&&' unary)*; unary := '!' unary | '(' or ')' | call. */
    private static final class Parser {
        private final String text;
        private final String host;
        private final String path;
        private final Map<String, String> headers;
        private int at;

        Parser(String text, String host, String path, Map<String, String> headers) {
            this.text = text;
            this.host = host;
            this.path = path;
            this.headers = headers;
        }

        boolean matches() {
            boolean value = or();
            skip();
            if (at != text.length()) {
                throw new IllegalArgumentException("unparsed rest of rule " + text + " at " + at);
            }
            return value;
        }

        private boolean or() {
            boolean value = and();
            while (eat("||")) {
                value |= and();
            }
            return value;
        }

        private boolean and() {
            boolean value = unary();
            while (eat("&&")) {
                value &= unary();
            }
            return value;
        }

        private boolean unary() {
            if (eat("!")) {
                return !unary();
            }
            if (eat("(")) {
                boolean value = or();
                expect(")");
                return value;
            }
            skip();
            int start = at;
            while (at < text.length() && Character.isLetter(text.charAt(at))) {
                at++;
            }
            String name = text.substring(start, at);
            expect("(");
            List<String> args = new ArrayList<>();
            do {
                skip();
                expect("`");
                int end = text.indexOf('`', at);
                args.add(text.substring(at, end));
                at = end + 1;
            } while (eat(","));
            expect(")");
            return switch (name) {
                case "Host" -> host.equalsIgnoreCase(args.get(0));
                case "Path" -> path.equals(args.get(0));
                case "PathPrefix" -> path.startsWith(args.get(0));
                case "Header" -> {
                    if (args.size() != 2) {
                        throw new IllegalArgumentException("Header takes 2 arguments in Traefik v3: " + text);
                    }
                    String key = args.get(0).toLowerCase(Locale.ROOT);
                    yield headers.entrySet().stream()
                            .anyMatch(h -> h.getKey().toLowerCase(Locale.ROOT).equals(key)
                                    && h.getValue().equals(args.get(1)));
                }
                default -> throw new IllegalArgumentException("matcher " + name + " not known to the test: " + text);
            };
        }

        private void skip() {
            while (at < text.length() && text.charAt(at) == ' ') {
                at++;
            }
        }

        private boolean eat(String token) {
            skip();
            if (text.startsWith(token, at)) {
                at += token.length();
                return true;
            }
            return false;
        }

        private void expect(String token) {
            if (!eat(token)) {
                throw new IllegalArgumentException("expected " + token + " at " + at + " in " + text);
            }
        }
    }
}
