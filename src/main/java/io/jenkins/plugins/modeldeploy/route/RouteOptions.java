package io.jenkins.plugins.modeldeploy.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a model's IngressRoute says beyond its rules: the entry points it listens on, TLS, and operator-provided
 * Middlewares (auth, rate limit...) put in front of every route of the model. Per cluster (KubernetesSettings, CLI
 * flags) and per model ({@code route:} in model.yaml), the model's choice overriding the cluster's field by field
 * ({@link #overriddenBy}).
 *
 * @param entryPoints Traefik entry point names; empty: {@code websecure} with TLS, else {@code web} (the entry points
 *                    of Traefik's Helm chart)
 * @param tls         the IngressRoute's {@code spec.tls}, when the routes are served over TLS
 * @param middlewares Middleware objects the operator provides, applied before the tool's stripPrefix, in this order
 */
public record RouteOptions(List<String> entryPoints, Optional<Tls> tls, List<MiddlewareRef> middlewares) {
    /** Kubernetes object names (DNS-1123 subdomain) and Traefik entry point names (letters, digits, '-', '_'). */
    private static final Pattern OBJECT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private static final Pattern ENTRY_POINT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    public static final RouteOptions DEFAULTS = new RouteOptions(List.of(), Optional.empty(), List.of());

    /**
     * {@code spec.tls} of an IngressRoute: a certificate from a Secret in the route's namespace, or one a certificate
     * resolver (ACME) obtains; exactly one of them.
     */
    public record Tls(Optional<String> secretName, Optional<String> certResolver) {
        public Tls {
            Objects.requireNonNull(secretName, "secretName");
            Objects.requireNonNull(certResolver, "certResolver");
        }

        public static Tls secret(String name) {
            return new Tls(Optional.of(name), Optional.empty());
        }

        public static Tls resolver(String name) {
            return new Tls(Optional.empty(), Optional.of(name));
        }
    }

    /** A Middleware object the operator created; {@code namespace} empty: the route's namespace. */
    public record MiddlewareRef(String name, Optional<String> namespace) {
        public MiddlewareRef {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(namespace, "namespace");
        }

        /** {@code name} or {@code namespace/name}, as the CLI flag and the Jenkins field take it. */
        public static MiddlewareRef parse(String text) {
            int slash = text.indexOf('/');
            return slash < 0
                    ? new MiddlewareRef(text, Optional.empty())
                    : new MiddlewareRef(text.substring(slash + 1), Optional.of(text.substring(0, slash)));
        }
    }

    public RouteOptions {
        entryPoints = List.copyOf(entryPoints);
        Objects.requireNonNull(tls, "tls");
        middlewares = List.copyOf(middlewares);
    }

    /**
     * Throws naming the field ({@code where} + ".entryPoints[1]" etc., e.g. {@code route.tls} for model.yaml or
     * {@code --tls-secret} style prefixes for flags) when a value cannot be what Traefik accepts.
     */
    public RouteOptions validated(String where) {
        for (int i = 0; i < entryPoints.size(); i++) {
            String name = entryPoints.get(i);
            if (!ENTRY_POINT.matcher(name).matches()) {
                throw new IllegalArgumentException(where + ".entryPoints[" + i + "]: not an entry point name: '" + name
                        + "' (letters, digits, '-' and '_')");
            }
        }
        if (entryPoints.stream().distinct().count() != entryPoints.size()) {
            throw new IllegalArgumentException(where + ".entryPoints: listed twice in " + entryPoints);
        }
        tls.ifPresent(t -> {
            if (t.secretName().isPresent() == t.certResolver().isPresent()) {
                throw new IllegalArgumentException(
                        where + ".tls: give exactly one of secretName and certResolver, was " + t);
            }
            t.secretName().ifPresent(name -> objectName(where + ".tls.secretName", name));
            t.certResolver().ifPresent(name -> {
                if (!ENTRY_POINT.matcher(name).matches()) {
                    throw new IllegalArgumentException(
                            where + ".tls.certResolver: not a resolver name: '" + name + "'");
                }
            });
        });
        for (int i = 0; i < middlewares.size(); i++) {
            MiddlewareRef ref = middlewares.get(i);
            objectName(where + ".middlewares[" + i + "].name", ref.name());
            int index = i;
            ref.namespace().ifPresent(ns -> objectName(where + ".middlewares[" + index + "].namespace", ns));
        }
        if (middlewares.stream().distinct().count() != middlewares.size()) {
            throw new IllegalArgumentException(where + ".middlewares: listed twice in " + middlewares);
        }
        return this;
    }

    private static void objectName(String field, String value) {
        if (value.length() > 253 || !OBJECT_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + ": not a Kubernetes object name: '" + value + "'");
        }
    }

    /**
     * These (a cluster's) options with the fields a model sets replacing them: a model that names entry points, TLS
     * or middlewares decides that field alone; what it leaves out comes from the cluster.
     */
    public RouteOptions overriddenBy(
            Optional<List<String>> modelEntryPoints,
            Optional<Tls> modelTls,
            Optional<List<MiddlewareRef>> modelMiddlewares) {
        return new RouteOptions(
                modelEntryPoints.orElse(entryPoints),
                modelTls.isPresent() ? modelTls : tls,
                modelMiddlewares.orElse(middlewares));
    }

    /** The entry points the IngressRoute lists: the chosen ones, else {@code websecure} with TLS, else {@code web}. */
    public List<String> effectiveEntryPoints() {
        if (!entryPoints.isEmpty()) {
            return entryPoints;
        }
        return List.of(tls.isPresent() ? "websecure" : "web");
    }

    /** The middleware references as the IngressRoute writes them: the operator's first, then ours. */
    List<MiddlewareRef> chain(String stripMiddleware) {
        List<MiddlewareRef> chain = new ArrayList<>(middlewares);
        chain.add(new MiddlewareRef(stripMiddleware, Optional.empty()));
        return chain;
    }
}
