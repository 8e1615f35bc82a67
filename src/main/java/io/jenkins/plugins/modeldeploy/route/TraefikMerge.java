package io.jenkins.plugins.modeldeploy.route;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The owned-field merges of the Traefik objects, for the GET+PUT apply: model-deploy writes only what it needs and
 * keeps what an operator added, as Argo Rollouts edits only the weights of a TraefikService
 * ({@code rollout/trafficrouting/traefik/traefik.go} sets {@code spec.weighted.services[*].weight} and nothing else).
 *
 * <ul>
 *   <li>IngressRoute: our routes (recognised by their {@code match}) get our {@code kind}, {@code match},
 *       {@code services} and our middlewares; middlewares an operator added to one of our routes stay (before ours);
 *       routes, entry points and {@code tls} keys that are not ours stay; any key of a route we do not set
 *       ({@code priority}, {@code observability}...) stays.
 *   <li>TraefikService: our children of {@code spec.weighted.services} (by name) get our name, kind, port and weight;
 *       other keys of a child ({@code passHostHeader}...), of {@code weighted} ({@code sticky}, unless
 *       model-deploy set it: then it is ours) and other children stay. The mirroring TraefikService of a shadow test
 *       is wholly ours.
 * </ul>
 *
 * "Ours" comes from the annotation {@link TraefikRoutes#APPLIED_ANNOTATION} (what we last wrote) plus what we write
 * now, so a route, entry point, TLS key, middleware or child we stop wanting is removed and nothing else is. An
 * object without that annotation was written by a version of model-deploy that owned its whole {@code spec}: then
 * the entry point {@code web}, no TLS, the routes and children pointing at the model's own objects and the stripPrefix
 * middlewares are taken as ours.
 */
final class TraefikMerge {
    private static final List<String> SPEC = List.of("spec");
    private static final ObjectApplier.Ownership METADATA =
            ObjectApplier.Ownership.of(List.of(), List.of("metadata.labels", "metadata.annotations"));

    private TraefikMerge() {}

    /** The merge for one of our Traefik objects (Middlewares: their {@code spec.stripPrefix} is wholly ours). */
    static ObjectApplier.FieldMerge forKind(String kind, String model) {
        return switch (kind) {
            case "IngressRoute" -> (live, desired) -> spec(live, desired, model, TraefikMerge::ingressRoute);
            case "TraefikService" -> (live, desired) -> spec(live, desired, model, TraefikMerge::traefikService);
            default ->
                ObjectApplier.Ownership.of(
                        List.of("spec.stripPrefix"), List.of("metadata.labels", "metadata.annotations"));
        };
    }

    private interface SpecMerge {
        Map<String, Object> merge(
                Map<String, Object> live, Map<String, Object> desired, Map<String, Object> previous, String model);
    }

    @SuppressWarnings("unchecked")
    private static boolean spec(Map<String, Object> live, Map<String, Object> desired, String model, SpecMerge how) {
        // Read what we last wrote before the metadata merge below replaces the annotation.
        Map<String, Object> previous = previous(live);
        Map<String, Object> liveSpec = live.get("spec") instanceof Map<?, ?> m
                ? ObjectApplier.deepCopy((Map<String, Object>) m)
                : new LinkedHashMap<>();
        Map<String, Object> desiredSpec = (Map<String, Object>) desired.get("spec");
        Map<String, Object> merged = how.merge(liveSpec, desiredSpec, previous, model);
        Object liveValue = live.get("spec");
        boolean changed =
                liveValue == null || !JsonSubset.contains(liveValue, merged) || !JsonSubset.contains(merged, liveValue);
        if (changed) {
            ObjectApplier.put(live, SPEC, merged);
        }
        return METADATA.merge(live, desired) | changed;
    }

    /** What the annotation says we last wrote, or null for an object written before it existed. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> previous(Map<String, Object> live) {
        Object annotations = ObjectApplier.get(live, List.of("metadata", "annotations"));
        if (annotations instanceof Map<?, ?> map && map.get(TraefikRoutes.APPLIED_ANNOTATION) instanceof String json) {
            try {
                return Serialization.unmarshal(json, Map.class);
            } catch (RuntimeException e) {
                return null; // edited by hand into something else: fall back as for an old object
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ingressRoute(
            Map<String, Object> live, Map<String, Object> desired, Map<String, Object> previous, String model) {
        Map<String, Object> result = new LinkedHashMap<>(live);
        // Entry points: the live ones minus those we had and no longer want, then ours.
        List<String> previousEntryPoints = previous == null ? List.of("web") : strings(previous.get("entryPoints"));
        List<String> wantedEntryPoints = strings(desired.get("entryPoints"));
        List<String> entryPoints = new ArrayList<>();
        for (String entryPoint : strings(live.get("entryPoints"))) {
            if (wantedEntryPoints.contains(entryPoint) || !previousEntryPoints.contains(entryPoint)) {
                entryPoints.add(entryPoint);
            }
        }
        wantedEntryPoints.stream().filter(e -> !entryPoints.contains(e)).forEach(entryPoints::add);
        result.put("entryPoints", entryPoints);

        // TLS: our keys (secretName / certResolver) set or removed; the operator's (options, domains...) stay.
        Map<String, Object> tls = live.get("tls") instanceof Map<?, ?> t
                ? new LinkedHashMap<>((Map<String, Object>) t)
                : new LinkedHashMap<>();
        Map<String, Object> wantedTls = desired.get("tls") instanceof Map<?, ?> t ? (Map<String, Object>) t : Map.of();
        if (previous != null && previous.get("tls") instanceof Map<?, ?> previousTls) {
            previousTls.keySet().forEach(key -> {
                if (!wantedTls.containsKey(key)) {
                    tls.remove(key);
                }
            });
        }
        tls.putAll(wantedTls);
        if (tls.isEmpty()) {
            result.remove("tls");
        } else {
            result.put("tls", tls);
        }

        // Routes: ours by match.
        List<Map<String, Object>> wantedRoutes = maps(desired.get("routes"));
        Map<String, Map<String, Object>> wantedByMatch = new LinkedHashMap<>();
        wantedRoutes.forEach(route -> wantedByMatch.put((String) route.get("match"), route));
        Map<String, Map<String, Object>> previousByMatch = new LinkedHashMap<>();
        if (previous != null) {
            maps(previous.get("routes")).forEach(route -> previousByMatch.put((String) route.get("match"), route));
        }
        List<Map<String, Object>> routes = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (Map<String, Object> route : maps(live.get("routes"))) {
            String match = (String) route.get("match");
            Map<String, Object> wanted = wantedByMatch.get(match);
            boolean wasOurs = previous == null ? pointsAtModel(route, model) : previousByMatch.containsKey(match);
            if (wanted != null && done.add(match)) {
                routes.add(route(route, wanted, wasOurs ? previousByMatch.get(match) : null, previous == null, model));
            } else if (!wasOurs) {
                routes.add(route); // the operator's
            }
        }
        wantedRoutes.stream().filter(r -> !done.contains(r.get("match"))).forEach(routes::add);
        result.put("routes", routes);
        return result;
    }

    /** One of our routes: ours set, the operator's middlewares on it kept in front of ours. */
    private static Map<String, Object> route(
            Map<String, Object> live,
            Map<String, Object> wanted,
            Map<String, Object> previous,
            boolean legacy,
            String model) {
        Map<String, Object> result = new LinkedHashMap<>(live);
        for (String key : List.of("kind", "match", "services")) {
            if (!JsonSubset.contains(live.get(key), wanted.get(key))) {
                result.put(key, wanted.get(key));
            }
        }
        if (wanted.containsKey("priority")) {
            result.put("priority", wanted.get("priority")); // the version-header routes' (TraefikRoutes#headerPriority)
        }
        List<Map<String, Object>> wantedMiddlewares = maps(wanted.get("middlewares"));
        List<Map<String, Object>> previousMiddlewares =
                previous == null ? List.of() : maps(previous.get("middlewares"));
        List<Map<String, Object>> middlewares = new ArrayList<>();
        for (Map<String, Object> middleware : maps(live.get("middlewares"))) {
            boolean ours = contains(wantedMiddlewares, middleware)
                    || contains(previousMiddlewares, middleware)
                    || (legacy && isStrip(middleware, model));
            if (!ours) {
                middlewares.add(middleware);
            }
        }
        middlewares.addAll(wantedMiddlewares);
        result.put("middlewares", middlewares);
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> traefikService(
            Map<String, Object> live, Map<String, Object> desired, Map<String, Object> previous, String model) {
        Map<String, Object> result = new LinkedHashMap<>(live);
        if (desired.containsKey("mirroring")) {
            // The shadow test's mirroring service (TraefikRoutes#mirrorService) is wholly ours.
            result.put("mirroring", desired.get("mirroring"));
            return result;
        }
        Map<String, Object> weighted = live.get("weighted") instanceof Map<?, ?> w
                ? new LinkedHashMap<>((Map<String, Object>) w)
                : new LinkedHashMap<>();
        List<Map<String, Object>> wanted = maps(((Map<String, Object>) desired.get("weighted")).get("services"));
        Set<String> previousNames = new HashSet<>();
        if (previous != null && previous.get("weighted") instanceof Map<?, ?> previousWeighted) {
            maps(previousWeighted.get("services")).forEach(s -> previousNames.add((String) s.get("name")));
        }
        Map<String, Map<String, Object>> wantedByName = new LinkedHashMap<>();
        wanted.forEach(s -> wantedByName.put((String) s.get("name"), s));
        List<Map<String, Object>> services = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (Map<String, Object> child : maps(weighted.get("services"))) {
            String name = (String) child.get("name");
            Map<String, Object> ours = wantedByName.get(name);
            boolean wasOurs =
                    previous == null ? name != null && name.startsWith(model + "-") : previousNames.contains(name);
            if (ours != null && done.add(name)) {
                Map<String, Object> merged = new LinkedHashMap<>(child);
                merged.putAll(ours);
                services.add(merged);
            } else if (!wasOurs) {
                services.add(child); // the operator's
            }
        }
        wanted.stream().filter(s -> !done.contains(s.get("name"))).forEach(services::add);
        weighted.put("services", services);
        // The sticky cookie: ours while we set it (TraefikRouter#setSticky); an operator's stays.
        Object wantedSticky = ((Map<String, Object>) desired.get("weighted")).get("sticky");
        if (wantedSticky != null) {
            weighted.put("sticky", wantedSticky);
        } else if (previous != null
                && previous.get("weighted") instanceof Map<?, ?> previousWeighted
                && previousWeighted.get("sticky") != null) {
            weighted.remove("sticky");
        }
        result.put("weighted", weighted);
        return result;
    }

    /** A route main's code wrote: its only service is the model's TraefikService or one of its version Services. */
    private static boolean pointsAtModel(Map<String, Object> route, String model) {
        List<Map<String, Object>> services = maps(route.get("services"));
        if (services.size() != 1) {
            return false;
        }
        Object name = services.get(0).get("name");
        return model.equals(name) || (name instanceof String s && s.startsWith(model + "-"));
    }

    private static boolean isStrip(Map<String, Object> middleware, String model) {
        return middleware.get("name") instanceof String name
                && name.startsWith(model + "-")
                && name.endsWith("-strip")
                && middleware.get("namespace") == null;
    }

    /** Middleware references are equal by name and namespace. */
    private static boolean contains(List<Map<String, Object>> list, Map<String, Object> middleware) {
        return list.stream()
                .anyMatch(m -> Objects.equals(m.get("name"), middleware.get("name"))
                        && Objects.equals(m.get("namespace"), middleware.get("namespace")));
    }

    private static List<String> strings(Object value) {
        List<String> strings = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(item -> strings.add(String.valueOf(item)));
        }
        return strings;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value) {
        List<Map<String, Object>> maps = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(item -> {
                if (item instanceof Map<?, ?> map) {
                    maps.add((Map<String, Object>) map);
                }
            });
        }
        return maps;
    }
}
