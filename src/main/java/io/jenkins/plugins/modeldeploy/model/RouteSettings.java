package io.jenkins.plugins.modeldeploy.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The {@code route:} section of model.yaml: how the model's Traefik IngressRoute is exposed. Each field a model sets
 * replaces the cluster's (KubernetesSettings / CLI flags / the Jenkins cluster) for that model; a field it leaves out
 * comes from the cluster. Used by the Traefik route mode only.
 *
 * <pre>
 * route:
 *   entryPoints: [websecure]
 *   tls: {secretName: iris-cert}        # or {certResolver: letsencrypt}
 *   middlewares: [{name: iris-auth}, {name: rate-limit, namespace: traefik}]
 * </pre>
 *
 * @param entryPoints Traefik entry point names
 * @param tls         a certificate Secret (in the model's namespace) or a certificate resolver, exactly one
 * @param middlewares operator-provided Middleware objects, in front of the model's own stripPrefix
 */
public record RouteSettings(
        Optional<List<String>> entryPoints, Optional<Tls> tls, Optional<List<Middleware>> middlewares) {
    public static final RouteSettings NONE = new RouteSettings(Optional.empty(), Optional.empty(), Optional.empty());

    static final Set<String> FIELDS = Set.of("entryPoints", "tls", "middlewares");
    static final Set<String> TLS_FIELDS = Set.of("secretName", "certResolver");
    static final Set<String> MIDDLEWARE_FIELDS = Set.of("name", "namespace");
    /** Traefik's entry point and resolver names (its static configuration keys). */
    private static final Pattern ENTRY_POINT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
    /** A Kubernetes object name (DNS-1123 subdomain) or namespace. */
    private static final Pattern OBJECT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    public record Tls(Optional<String> secretName, Optional<String> certResolver) {
        public Tls {
            Objects.requireNonNull(secretName, "secretName");
            Objects.requireNonNull(certResolver, "certResolver");
        }
    }

    public record Middleware(String name, Optional<String> namespace) {
        public Middleware {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(namespace, "namespace");
        }
    }

    public RouteSettings {
        Objects.requireNonNull(entryPoints, "entryPoints");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(middlewares, "middlewares");
        entryPoints = entryPoints.map(List::copyOf);
        middlewares = middlewares.map(List::copyOf);
    }

    /** Reads {@code route} (null or missing: {@link #NONE}); every problem is reported naming its field. */
    static RouteSettings parse(JsonNode node, BiConsumer<String, String> problem) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return NONE;
        }
        if (!node.isObject()) {
            problem.accept("route", "must be a mapping, was " + ModelSpecLoader.kind(node));
            return NONE;
        }
        unknown("route", node, FIELDS, problem);
        Optional<List<String>> entryPoints = Optional.empty();
        JsonNode entryNode = node.get("entryPoints");
        if (entryNode != null && !entryNode.isNull()) {
            if (!entryNode.isArray() || entryNode.isEmpty()) {
                problem.accept(
                        "route.entryPoints",
                        "must be a non-empty list of entry point names, was " + ModelSpecLoader.kind(entryNode));
            } else {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < entryNode.size(); i++) {
                    JsonNode item = entryNode.get(i);
                    if (!item.isTextual() || !ENTRY_POINT.matcher(item.asText()).matches()) {
                        problem.accept(
                                "route.entryPoints[" + i + "]",
                                "must be an entry point name (letters," + " digits, '-' and '_'), was " + item);
                    } else if (names.contains(item.asText())) {
                        problem.accept("route.entryPoints[" + i + "]", "is listed twice: " + item.asText());
                    } else {
                        names.add(item.asText());
                    }
                }
                entryPoints = Optional.of(names);
            }
        }
        Optional<Tls> tls = Optional.empty();
        JsonNode tlsNode = node.get("tls");
        if (tlsNode != null && !tlsNode.isNull()) {
            if (!tlsNode.isObject()) {
                problem.accept("route.tls", "must be a mapping, was " + ModelSpecLoader.kind(tlsNode));
            } else {
                unknown("route.tls", tlsNode, TLS_FIELDS, problem);
                Optional<String> secret = text("route.tls.secretName", tlsNode.get("secretName"), OBJECT_NAME, problem);
                Optional<String> resolver =
                        text("route.tls.certResolver", tlsNode.get("certResolver"), ENTRY_POINT, problem);
                if (secret.isPresent() == resolver.isPresent()) {
                    problem.accept("route.tls", "must give exactly one of secretName and certResolver");
                } else {
                    tls = Optional.of(new Tls(secret, resolver));
                }
            }
        }
        Optional<List<Middleware>> middlewares = Optional.empty();
        JsonNode middlewareNode = node.get("middlewares");
        if (middlewareNode != null && !middlewareNode.isNull()) {
            if (!middlewareNode.isArray()) {
                problem.accept(
                        "route.middlewares",
                        "must be a list of {name, namespace}, was " + ModelSpecLoader.kind(middlewareNode));
            } else {
                List<Middleware> refs = new ArrayList<>();
                for (int i = 0; i < middlewareNode.size(); i++) {
                    String field = "route.middlewares[" + i + "]";
                    JsonNode item = middlewareNode.get(i);
                    if (!item.isObject()) {
                        problem.accept(field, "must be a mapping {name, namespace}, was " + ModelSpecLoader.kind(item));
                        continue;
                    }
                    unknown(field, item, MIDDLEWARE_FIELDS, problem);
                    Optional<String> name = text(field + ".name", item.get("name"), OBJECT_NAME, problem);
                    if (name.isEmpty()
                            && (item.get("name") == null || item.get("name").isNull())) {
                        problem.accept(field + ".name", "is required");
                    }
                    Optional<String> namespace =
                            text(field + ".namespace", item.get("namespace"), OBJECT_NAME, problem);
                    name.ifPresent(n -> refs.add(new Middleware(n, namespace)));
                }
                middlewares = Optional.of(refs);
            }
        }
        return new RouteSettings(entryPoints, tls, middlewares);
    }

    private static Optional<String> text(
            String field, JsonNode node, Pattern pattern, BiConsumer<String, String> problem) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()
                || node.asText().length() > 253
                || !pattern.matcher(node.asText()).matches()) {
            problem.accept(field, "must be a name (" + pattern.pattern() + "), was " + node);
            return Optional.empty();
        }
        return Optional.of(node.asText());
    }

    private static void unknown(String field, JsonNode node, Set<String> known, BiConsumer<String, String> problem) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                problem.accept(
                        field + "." + name, "unknown field (known: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }
}
