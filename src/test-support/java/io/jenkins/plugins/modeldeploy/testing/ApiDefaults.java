package io.jenkins.plugins.modeldeploy.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a real API server does to an object before storing it, and fabric8's CRUD mock does not: defaulting and
 * quantity canonicalization. Applied by {@link MockApiServer} to the body of every create (POST) and replace (PUT) of
 * the kinds the tool writes, so that what the server returns, and what "no write on re-apply" compares against, is
 * what a cluster would return.
 *
 * <p>Defaults follow the upstream defaulting functions: {@code pkg/apis/apps/v1/defaults.go}
 * ({@code SetDefaults_Deployment}: replicas 1, RollingUpdate with maxSurge and maxUnavailable 25%,
 * revisionHistoryLimit 10, progressDeadlineSeconds 600), {@code pkg/apis/core/v1/defaults.go} (pod spec: restartPolicy
 * Always, dnsPolicy ClusterFirst, terminationGracePeriodSeconds 30, schedulerName default-scheduler, an empty
 * securityContext, enableServiceLinks; containers: terminationMessagePath and -Policy, imagePullPolicy, port protocol
 * TCP; probes: timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3, scheme HTTP; Service: type
 * ClusterIP, sessionAffinity None, port protocol TCP, targetPort = port) and {@code pkg/apis/autoscaling/v2/defaults.go}
 * (minReplicas 1). Quantities are rewritten as {@code apimachinery/pkg/api/resource/quantity.go} serialises them
 * ({@code CanonicalizeBytes}): {@code 0.5} becomes {@code 500m}, {@code 1024Mi} becomes {@code 1Gi}, {@code 1000M}
 * becomes {@code 1G}.
 */
public final class ApiDefaults {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH = Pattern.compile(
            "^/(?:api/v1|apis/([a-z0-9.]+)/v[0-9a-z]+)/namespaces/([^/]+)/([a-z]+)(?:/([^/?]+))?(?:\\?.*)?$");

    private ApiDefaults() {}

    /** The body the API server would store for {@code method path body}, or empty when it leaves it alone. */
    static Optional<String> apply(String method, String path, String body) {
        if (!("POST".equals(method) || "PUT".equals(method)) || body == null || body.isBlank()) {
            return Optional.empty();
        }
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        String group = m.group(1) == null ? "" : m.group(1);
        String resource = m.group(3);
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> object = JSON.readValue(body, Map.class);
            boolean changed =
                    switch (group + "/" + resource) {
                        case "apps/deployments" -> deployment(object);
                        case "apps/replicasets" -> podTemplateOwner(object);
                        case "/pods" -> podSpec(map(object, "spec"));
                        case "/services" -> service(object);
                        case "autoscaling/horizontalpodautoscalers" -> autoscaler(object);
                        default -> false;
                    };
            return changed ? Optional.of(JSON.writeValueAsString(object)) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty(); // not JSON: the mock answers as it would
        }
    }

    private static boolean deployment(Map<String, Object> object) {
        Map<String, Object> spec = map(object, "spec");
        spec.putIfAbsent("replicas", 1);
        Map<String, Object> strategy = map(spec, "strategy");
        strategy.putIfAbsent("type", "RollingUpdate");
        if ("RollingUpdate".equals(strategy.get("type"))) {
            Map<String, Object> rolling = map(strategy, "rollingUpdate");
            rolling.putIfAbsent("maxUnavailable", "25%");
            rolling.putIfAbsent("maxSurge", "25%");
        }
        spec.putIfAbsent("revisionHistoryLimit", 10);
        spec.putIfAbsent("progressDeadlineSeconds", 600);
        podSpec(map(map(spec, "template"), "spec"));
        return true;
    }

    private static boolean podTemplateOwner(Map<String, Object> object) {
        Map<String, Object> spec = map(object, "spec");
        spec.putIfAbsent("replicas", 1);
        podSpec(map(map(spec, "template"), "spec"));
        return true;
    }

    private static boolean podSpec(Map<String, Object> spec) {
        spec.putIfAbsent("restartPolicy", "Always");
        spec.putIfAbsent("dnsPolicy", "ClusterFirst");
        spec.putIfAbsent("terminationGracePeriodSeconds", 30);
        spec.putIfAbsent("schedulerName", "default-scheduler");
        spec.putIfAbsent("securityContext", new LinkedHashMap<>());
        spec.putIfAbsent("enableServiceLinks", true);
        for (String kind : List.of("containers", "initContainers")) {
            for (Map<String, Object> container : list(spec, kind)) {
                container.putIfAbsent("terminationMessagePath", "/dev/termination-log");
                container.putIfAbsent("terminationMessagePolicy", "File");
                Object image = container.get("image");
                container.putIfAbsent(
                        "imagePullPolicy", image instanceof String s && pullsAlways(s) ? "Always" : "IfNotPresent");
                for (Map<String, Object> port : list(container, "ports")) {
                    port.putIfAbsent("protocol", "TCP");
                }
                for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                    if (container.get(probe) instanceof Map<?, ?>) {
                        Map<String, Object> p = map(container, probe);
                        p.putIfAbsent("timeoutSeconds", 1);
                        p.putIfAbsent("periodSeconds", 10);
                        p.putIfAbsent("successThreshold", 1);
                        p.putIfAbsent("failureThreshold", 3);
                        if (p.get("httpGet") instanceof Map<?, ?>) {
                            map(p, "httpGet").putIfAbsent("scheme", "HTTP");
                        }
                    }
                }
                if (container.get("resources") instanceof Map<?, ?>) {
                    Map<String, Object> resources = map(container, "resources");
                    for (String bound : List.of("requests", "limits")) {
                        if (resources.get(bound) instanceof Map<?, ?>) {
                            Map<String, Object> quantities = map(resources, bound);
                            quantities.replaceAll((name, q) -> q == null ? null : canonical(String.valueOf(q)));
                        }
                    }
                }
            }
        }
        for (Map<String, Object> volume : list(spec, "volumes")) {
            if (volume.get("emptyDir") instanceof Map<?, ?>) {
                Map<String, Object> emptyDir = map(volume, "emptyDir");
                if (emptyDir.get("sizeLimit") != null) {
                    emptyDir.put("sizeLimit", canonical(String.valueOf(emptyDir.get("sizeLimit"))));
                }
            }
        }
        return true;
    }

    /** {@code core/v1 SetDefaults_Container}: Always for {@code :latest} or no tag (and no digest). */
    private static boolean pullsAlways(String image) {
        if (image.contains("@")) {
            return false;
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon <= slash || image.endsWith(":latest");
    }

    private static boolean service(Map<String, Object> object) {
        Map<String, Object> spec = map(object, "spec");
        spec.putIfAbsent("type", "ClusterIP");
        spec.putIfAbsent("sessionAffinity", "None");
        for (Map<String, Object> port : list(spec, "ports")) {
            port.putIfAbsent("protocol", "TCP");
            port.putIfAbsent("targetPort", port.get("port"));
        }
        if (!"ExternalName".equals(spec.get("type"))) {
            // The allocator's address; an update without one keeps the allocated one (service REST
            // patchAllocatedValues), which a name-derived address reproduces.
            String name = String.valueOf(map(object, "metadata").get("name"));
            int h = name.hashCode() & 0xffff;
            String ip = "10.96." + (h >> 8) + "." + Math.max(1, h & 0xff);
            spec.putIfAbsent("clusterIP", ip);
            spec.putIfAbsent("clusterIPs", List.of(spec.get("clusterIP")));
            spec.putIfAbsent("ipFamilies", List.of("IPv4"));
            spec.putIfAbsent("ipFamilyPolicy", "SingleStack");
            spec.putIfAbsent("internalTrafficPolicy", "Cluster");
        }
        return true;
    }

    private static boolean autoscaler(Map<String, Object> object) {
        map(object, "spec").putIfAbsent("minReplicas", 1);
        return true;
    }

    // --- quantities (apimachinery resource.Quantity) ---

    private static final Pattern QUANTITY = Pattern.compile("^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[a-zA-Z]*)$");
    private static final List<String> DECIMAL = List.of("n", "u", "m", "", "k", "M", "G", "T", "P", "E");
    private static final List<String> BINARY = List.of("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei");

    /**
     * The canonical form: the format follows the suffix (binary {@code Ki…Ei}, else decimal), a binary value below
     * 1024 or not a whole number of bytes is written as decimal, and the value is written with the largest suffix
     * that keeps it a whole number (decimal values round up to nano units).
     */
    public static String canonical(String quantity) {
        Matcher m = QUANTITY.matcher(quantity.trim());
        if (!m.matches()) {
            return quantity; // a real server rejects it with 422; not this class's concern
        }
        BigDecimal value = new BigDecimal(m.group(1));
        String suffix = m.group(2);
        boolean binary = BINARY.contains(suffix) && !suffix.isEmpty();
        if (suffix.startsWith("e") || suffix.startsWith("E")) {
            value = value.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
        } else if (binary) {
            value = value.multiply(new BigDecimal(BigInteger.valueOf(1024).pow(BINARY.indexOf(suffix))));
        } else if (DECIMAL.contains(suffix)) {
            value = value.scaleByPowerOfTen(3 * (DECIMAL.indexOf(suffix) - 3));
        } else {
            return quantity;
        }
        if (value.signum() == 0) {
            return "0";
        }
        if (binary && value.abs().compareTo(BigDecimal.valueOf(1024)) >= 0 && isWhole(value)) {
            BigInteger bytes = value.toBigIntegerExact();
            int exponent = 0;
            BigInteger k = BigInteger.valueOf(1024);
            while (exponent < BINARY.size() - 1 && bytes.mod(k).signum() == 0) {
                bytes = bytes.divide(k);
                exponent++;
            }
            return bytes + BINARY.get(exponent);
        }
        value = value.setScale(9, RoundingMode.CEILING);
        for (int i = DECIMAL.size() - 1; i >= 0; i--) {
            BigDecimal scaled = value.scaleByPowerOfTen(-3 * (i - 3));
            if (isWhole(scaled)) {
                return scaled.toBigIntegerExact() + DECIMAL.get(i);
            }
        }
        return value.toPlainString();
    }

    private static boolean isWhole(BigDecimal value) {
        return value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        Map<String, Object> created = new LinkedHashMap<>();
        parent.put(key, created);
        return created;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        List<Map<String, Object>> items = new ArrayList<>();
        if (parent.get(key) instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> map) {
                    items.add((Map<String, Object>) map);
                }
            }
        }
        return items;
    }
}
