package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.abtest.Moments;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.model.EnvironmentSpec;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.ResourceRequirements;
import io.jenkins.plugins.modeldeploy.model.RouteSettings;
import io.jenkins.plugins.modeldeploy.model.Serving;
import io.jenkins.plugins.modeldeploy.model.Signature;
import io.jenkins.plugins.modeldeploy.model.Slo;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ModelStatus;
import io.jenkins.plugins.modeldeploy.target.ReleaseJson;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON forms the local control API and the daemon's desired state use. A rollout ships the {@link ModelSpec} the
 * caller loaded — {@code model.yaml} with its {@code --set} overrides already applied and validated — field by
 * field, so the daemon runs exactly that spec and never reads {@code model.yaml} again.
 */
final class Wire {
    static final ObjectMapper JSON = new ObjectMapper();

    private Wire() {}

    // --- the model spec ------------------------------------------------------------------------------------------

    static ObjectNode spec(ModelSpec spec) {
        ObjectNode node = JSON.createObjectNode();
        node.put("directory", spec.directory().toString());
        node.put("name", spec.name());
        node.put("description", spec.description());
        node.put("runtime", spec.runtime().id());
        node.put("entrypoint", spec.entrypoint());
        strings(node.putArray("include"), spec.include());
        strings(node.putArray("exclude"), spec.exclude());
        strings(node.putArray("data"), spec.data());
        strings(
                node.putArray("samples"),
                spec.samples().stream().map(Path::toString).toList());
        spec.dependencies().ifPresent(d -> node.put("dependencies", d.toString()));
        ResourceRequirements resources = spec.resources();
        node.putObject("resources")
                .put("cpuRequest", resources.cpuRequest())
                .put("memoryRequest", resources.memoryRequest())
                .put("cpuLimit", resources.cpuLimit())
                .put("memoryLimit", resources.memoryLimit());
        node.putObject("slo")
                .put("rps", spec.slo().rps())
                .put("p99Ms", spec.slo().p99Ms())
                .put("maxErrorRate", spec.slo().maxErrorRate());
        spec.env().forEach(node.putObject("env")::put);
        spec.signature().ifPresent(signature -> {
            ObjectNode sig = node.putObject("signature");
            sig.put("format", signature.format().name());
            ArrayNode inputs = sig.putArray("inputs");
            signature
                    .inputs()
                    .forEach(i -> inputs.addObject()
                            .put("name", i.name())
                            .put("type", i.type().name()));
        });
        node.putObject("serving")
                .put("workers", spec.serving().workers())
                .put("maxBodyBytes", spec.serving().maxBodyBytes())
                .put("timeoutSeconds", spec.serving().timeout().toSeconds());
        if (!spec.environment().isEmpty()) {
            node.set("environment", environment(spec.environment()));
        }
        return node;
    }

    /** The environment as the daemon needs it to resolve the same dependencies the caller declared. */
    static ObjectNode environment(EnvironmentSpec environment) {
        ObjectNode node = JSON.createObjectNode();
        strings(node.putArray("debian"), environment.debian());
        environment.requirements().ifPresent(p -> node.put("requirements", p.toString()));
        environment.wheelhouse().ifPresent(p -> node.put("wheelhouse", p.toString()));
        strings(node.putArray("indexUrls"), environment.indexUrls());
        environment.r().ifPresent(r -> {
            ObjectNode rNode = node.putObject("r");
            strings(rNode.putArray("packages"), r.packages());
            r.lock().ifPresent(p -> rNode.put("lock", p.toString()));
            rNode.put("repository", r.repository());
        });
        environment.snapshot().ifPresent(s -> node.put("snapshot", s));
        return node;
    }

    static EnvironmentSpec environment(JsonNode node) throws IOException {
        if (node == null || !node.isObject()) {
            return EnvironmentSpec.NONE;
        }
        Optional<EnvironmentSpec.RPackages> r = Optional.empty();
        if (node.path("r").isObject()) {
            JsonNode rNode = node.path("r");
            r = Optional.of(new EnvironmentSpec.RPackages(
                    strings(rNode, "packages"),
                    optional(rNode, "lock").map(Path::of),
                    rNode.path("repository").asText(EnvironmentSpec.RPackages.DEFAULT_REPOSITORY)));
        }
        return new EnvironmentSpec(
                strings(node, "debian"),
                optional(node, "requirements").map(Path::of),
                optional(node, "wheelhouse").map(Path::of),
                strings(node, "indexUrls"),
                r,
                optional(node, "snapshot"));
    }

    static ModelSpec spec(JsonNode node) throws IOException {
        ModelRuntime runtime = ModelRuntime.fromId(text(node, "runtime"))
                .orElseThrow(() -> new IOException(
                        "unknown runtime \"" + node.path("runtime").asText() + "\""));
        Optional<Signature> signature = Optional.empty();
        if (node.path("signature").isObject()) {
            List<Signature.Input> inputs = new ArrayList<>();
            for (JsonNode input : node.path("signature").path("inputs")) {
                inputs.add(new Signature.Input(text(input, "name"), Signature.ValueType.valueOf(text(input, "type"))));
            }
            signature = Optional.of(
                    new Signature(Signature.Format.valueOf(text(node.path("signature"), "format")), inputs));
        }
        JsonNode resources = node.path("resources");
        JsonNode slo = node.path("slo");
        try {
            return new ModelSpec(
                    Path.of(text(node, "directory")),
                    text(node, "name"),
                    node.path("description").asText(""),
                    runtime,
                    text(node, "entrypoint"),
                    strings(node, "include"),
                    strings(node, "exclude"),
                    strings(node, "data"),
                    strings(node, "samples").stream().map(Path::of).toList(),
                    optional(node, "dependencies").map(Path::of),
                    new ResourceRequirements(
                            nullable(resources, "cpuRequest"),
                            nullable(resources, "memoryRequest"),
                            nullable(resources, "cpuLimit"),
                            nullable(resources, "memoryLimit")),
                    new Slo(
                            slo.path("rps").asDouble(Slo.DEFAULT.rps()),
                            slo.path("p99Ms").asDouble(Slo.DEFAULT.p99Ms()),
                            slo.path("maxErrorRate").asDouble(Slo.DEFAULT.maxErrorRate())),
                    stringMap(node.path("env")),
                    signature,
                    new Serving(
                            node.path("serving").path("workers").asInt(Serving.AUTO_WORKERS),
                            node.path("serving").path("maxBodyBytes").asLong(Serving.DEFAULT.maxBodyBytes()),
                            java.time.Duration.ofSeconds(node.path("serving")
                                    .path("timeoutSeconds")
                                    .asLong(Serving.DEFAULT_TIMEOUT.toSeconds()))),
                    Map.of(),
                    RouteSettings.NONE,
                    environment(node.get("environment")));
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid model spec: " + e.getMessage(), e);
        }
    }

    // --- rollouts ------------------------------------------------------------------------------------------------

    static ObjectNode request(RolloutRequest request) {
        ObjectNode node = JSON.createObjectNode();
        node.set("spec", spec(request.version().spec()));
        node.put("version", request.version().version());
        request.image().ifPresent(i -> node.put("image", i));
        request.annotations().forEach(node.putObject("annotations")::put);
        node.put("timeoutMillis", request.timeout().toMillis());
        request.imageArchive()
                .ifPresent(a -> node.put("imageArchive", a.toAbsolutePath().toString()));
        return node;
    }

    static RolloutRequest request(JsonNode node) throws IOException {
        long timeout = node.path("timeoutMillis").asLong(0);
        if (timeout <= 0) {
            throw new IOException("\"timeoutMillis\" must be a positive number");
        }
        return new RolloutRequest(
                new ModelVersion(spec(node.path("spec")), text(node, "version")),
                optional(node, "image"),
                stringMap(node.path("annotations")),
                Duration.ofMillis(timeout),
                optional(node, "imageArchive").map(Path::of));
    }

    static ObjectNode deployed(DeployedVersion deployed) {
        ObjectNode node = JSON.createObjectNode();
        node.put("model", deployed.ref().model());
        node.put("version", deployed.ref().version());
        node.put("endpoint", deployed.endpoint().toString());
        deployed.image().ifPresent(i -> node.put("image", i));
        node.put("readyReplicas", deployed.readyReplicas());
        node.put("tookMillis", deployed.took().toMillis());
        return node;
    }

    static DeployedVersion deployed(JsonNode node) throws IOException {
        return new DeployedVersion(
                new VersionRef(text(node, "model"), text(node, "version")),
                URI.create(text(node, "endpoint")),
                optional(node, "image"),
                node.path("readyReplicas").asInt(),
                Duration.ofMillis(node.path("tookMillis").asLong()));
    }

    // --- status and metrics --------------------------------------------------------------------------------------

    static ObjectNode status(ModelStatus status) {
        ObjectNode node = JSON.createObjectNode();
        node.put("model", status.model());
        status.release().ifPresent(r -> node.set("release", ReleaseJson.tree(r)));
        status.weights().forEach(node.putObject("weights")::put);
        ArrayNode versions = node.putArray("versions");
        for (ModelStatus.VersionStatus version : status.versions()) {
            ObjectNode row = versions.addObject();
            row.put("version", version.version());
            version.stage().ifPresent(s -> row.put("stage", s.value()));
            row.put("readyReplicas", version.readyReplicas());
            row.put("desiredReplicas", version.desiredReplicas());
            row.put("weight", version.weight());
            version.image().ifPresent(i -> row.put("image", i));
            version.annotations().forEach(row.putObject("annotations")::put);
        }
        return node;
    }

    static ModelStatus status(JsonNode node) throws IOException {
        List<ModelStatus.VersionStatus> versions = new ArrayList<>();
        for (JsonNode row : node.path("versions")) {
            Optional<Stage> stage;
            try {
                stage = optional(row, "stage").map(Stage::parse);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
            versions.add(new ModelStatus.VersionStatus(
                    text(row, "version"),
                    stage,
                    row.path("readyReplicas").asInt(),
                    row.path("desiredReplicas").asInt(),
                    row.path("weight").asInt(),
                    optional(row, "image"),
                    stringMap(row.path("annotations"))));
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        node.path("weights")
                .fields()
                .forEachRemaining(e -> weights.put(e.getKey(), e.getValue().asInt()));
        try {
            return new ModelStatus(
                    text(node, "model"),
                    node.path("release").isObject()
                            ? Optional.of(ReleaseJson.read(node.path("release")))
                            : Optional.empty(),
                    weights,
                    versions);
        } catch (ReleaseJson.InvalidReleaseJsonException e) {
            throw new IOException("invalid release state: " + e.getMessage(), e);
        }
    }

    static ObjectNode stats(VariantStats stats) {
        ObjectNode node = JSON.createObjectNode()
                .put("version", stats.version())
                .put("requests", stats.requests())
                .put("errors", stats.errors())
                .put("sloViolations", stats.sloViolations())
                .put("p50Ms", stats.p50Ms())
                .put("p99Ms", stats.p99Ms())
                .put("units", stats.units());
        ObjectNode quality = node.putObject("quality");
        stats.quality()
                .forEach((name, moments) -> quality.putObject(name)
                        .put("count", moments.count())
                        .put("sum", moments.sum())
                        .put("sumOfSquares", moments.sumOfSquares()));
        return node;
    }

    /** Counters as {@link #stats(VariantStats)} writes them; an older daemon's (no units, no quality) read too. */
    static VariantStats stats(JsonNode node) throws IOException {
        Map<String, Moments> quality = new LinkedHashMap<>();
        var fields = node.path("quality").fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            JsonNode moments = entry.getValue();
            try {
                quality.put(
                        entry.getKey(),
                        new Moments(
                                moments.path("count").asLong(),
                                moments.path("sum").asDouble(),
                                moments.path("sumOfSquares").asDouble()));
            } catch (IllegalArgumentException e) {
                throw new IOException("quality." + entry.getKey() + ": " + e.getMessage(), e);
            }
        }
        return new VariantStats(
                text(node, "version"),
                node.path("requests").asLong(),
                node.path("errors").asLong(),
                node.path("sloViolations").asLong(),
                node.path("p50Ms").asDouble(),
                node.path("p99Ms").asDouble(),
                quality,
                node.path("units").asLong(-1));
    }

    static ObjectNode shadow(ShadowStats stats) {
        ObjectNode node = JSON.createObjectNode()
                .put("compared", stats.compared())
                .put("agreed", stats.agreed())
                .put("failed", stats.failed());
        ArrayNode examples = node.putArray("examples");
        stats.examples()
                .forEach(example -> examples.addObject()
                        .put("request", example.request())
                        .put("production", example.production())
                        .put("shadow", example.shadow()));
        return node;
    }

    static ShadowStats shadow(JsonNode node) {
        List<ShadowStats.Disagreement> examples = new ArrayList<>();
        node.path("examples")
                .forEach(example -> examples.add(new ShadowStats.Disagreement(
                        example.path("request").asText(),
                        example.path("production").asText(),
                        example.path("shadow").asText())));
        return new ShadowStats(
                node.path("compared").asLong(),
                node.path("agreed").asLong(),
                node.path("failed").asLong(),
                examples);
    }

    static ObjectNode weights(Map<String, Integer> weights) {
        ObjectNode node = JSON.createObjectNode();
        weights.forEach(node::put);
        return node;
    }

    static Map<String, Integer> weights(JsonNode node) throws IOException {
        if (!node.isObject()) {
            throw new IOException("\"weights\" must be an object of version to percent");
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        var fields = node.fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            if (!entry.getValue().isInt()) {
                throw new IOException("the weight of version " + entry.getKey() + " must be an integer");
            }
            weights.put(entry.getKey(), entry.getValue().asInt());
        }
        return weights;
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    static String text(JsonNode node, String field) throws IOException {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IOException("\"" + field + "\" is missing or not a string");
        }
        return value.asText();
    }

    static Optional<String> optional(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    private static String nullable(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : null;
    }

    static List<String> strings(JsonNode node, String field) {
        List<String> values = new ArrayList<>();
        node.path(field).forEach(v -> values.add(v.asText()));
        return values;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> values = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        return values;
    }

    static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
