package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the daemon keeps running, in {@code desired.json}: the gateway's port, the runtime, every version (running
 * or scaled to zero, with the request it was rolled out with and the copy of the model files it runs) and every
 * model's routes and weights. A restarted daemon brings all of it back; versions the lifecycle removed are gone
 * from it. Saved atomically after each change; only the daemon (which holds the state directory's lock) writes it.
 */
final class DesiredState {
    static final String SCHEMA = "model-deploy.local-desired/v1";

    enum Want {
        RUNNING,
        SCALED_TO_ZERO
    }

    /**
     * @param asked    the rollout request as the caller sent it (what a repeated rollout is compared with)
     * @param snapshot the directory with the copy of the model files it runs (process runtime)
     * @param pid      the harness process while it runs (what a daemon that died leaves behind and the next one
     *                 stops)
     */
    record Version(
            RolloutRequest asked, Optional<Path> snapshot, Want want, OptionalLong pid, Optional<String> container) {
        /** The request the target runs: the caller's, on the copy of the model files when there is one. */
        RolloutRequest runs() {
            return snapshot.map(dir -> LocalDaemon.onDirectory(asked, dir)).orElse(asked);
        }

        Version wanting(Want next) {
            return new Version(asked, snapshot, next, pid, container);
        }

        Version withWorkload(Optional<String> workload) {
            OptionalLong processId = workload.filter(w -> w.startsWith("pid "))
                    .map(w -> OptionalLong.of(Long.parseLong(w.substring(4))))
                    .orElse(OptionalLong.empty());
            Optional<String> containerId =
                    workload.filter(w -> w.startsWith("container ")).map(w -> w.substring(10));
            return new Version(asked, snapshot, want, processId, containerId);
        }
    }

    record Routes(List<String> versions, Map<String, Integer> weights) {
        Routes {
            versions = List.copyOf(versions);
            weights = Map.copyOf(weights);
        }
    }

    private final Path file;
    private OptionalInt port = OptionalInt.empty();
    private Optional<String> runtime = Optional.empty();
    private final Map<VersionRef, Version> versions = new LinkedHashMap<>();
    private final Map<String, Routes> routes = new LinkedHashMap<>();

    private DesiredState(Path file) {
        this.file = file;
    }

    static DesiredState load(Path file) throws IOException {
        DesiredState state = new DesiredState(file);
        if (!Files.exists(file)) {
            return state;
        }
        JsonNode root = Wire.JSON.readTree(file.toFile());
        if (!SCHEMA.equals(root.path("schema").asText())) {
            throw new IOException(file + " is not a " + SCHEMA + " file");
        }
        if (root.path("port").isInt()) {
            state.port(root.path("port").asInt());
        }
        Wire.optional(root, "runtime").ifPresent(state::runtime);
        for (JsonNode node : root.path("versions")) {
            RolloutRequest asked = Wire.request(node.path("request"));
            Optional<Path> snapshot = Wire.optional(node, "snapshot").map(Path::of);
            Want want = Want.valueOf(node.path("want").asText(Want.RUNNING.name()));
            OptionalLong pid = node.path("pid").isNumber()
                    ? OptionalLong.of(node.path("pid").asLong())
                    : OptionalLong.empty();
            state.versions.put(asked.ref(), new Version(asked, snapshot, want, pid, Wire.optional(node, "container")));
        }
        var models = root.path("routes").fields();
        while (models.hasNext()) {
            var entry = models.next();
            state.routes.put(
                    entry.getKey(),
                    new Routes(
                            Wire.strings(entry.getValue(), "versions"),
                            Wire.weights(entry.getValue().path("weights"))));
        }
        return state;
    }

    synchronized void save() throws IOException {
        ObjectNode root = Wire.JSON.createObjectNode();
        root.put("schema", SCHEMA);
        port.ifPresent(p -> root.put("port", p));
        runtime.ifPresent(r -> root.put("runtime", r));
        ArrayNode list = root.putArray("versions");
        for (Version version : versions.values()) {
            ObjectNode node = list.addObject();
            node.put("model", version.asked().ref().model());
            node.put("version", version.asked().ref().version());
            node.put("want", version.want().name());
            version.snapshot().ifPresent(s -> node.put("snapshot", s.toString()));
            version.pid().ifPresent(p -> node.put("pid", p));
            version.container().ifPresent(c -> node.put("container", c));
            node.set("request", Wire.request(version.asked()));
        }
        ObjectNode routeNode = root.putObject("routes");
        routes.forEach((model, r) -> {
            ObjectNode node = routeNode.putObject(model);
            r.versions().forEach(node.putArray("versions")::add);
            node.set("weights", Wire.weights(r.weights()));
        });
        LocalState.write(
                file,
                Wire.JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root),
                true);
    }

    synchronized OptionalInt port() {
        return port;
    }

    synchronized void port(int value) {
        port = OptionalInt.of(value);
    }

    synchronized Optional<String> runtime() {
        return runtime;
    }

    synchronized void runtime(String value) {
        runtime = Optional.of(value);
    }

    synchronized Optional<Version> version(VersionRef ref) {
        return Optional.ofNullable(versions.get(ref));
    }

    synchronized List<Version> versions() {
        return new ArrayList<>(versions.values());
    }

    synchronized void put(Version version) {
        versions.put(version.asked().ref(), version);
    }

    synchronized void remove(VersionRef ref) {
        versions.remove(ref);
    }

    synchronized Map<String, Routes> routes() {
        return new LinkedHashMap<>(routes);
    }

    /** Takes the routes as the gateway serves them now. */
    synchronized void routesFrom(LocalGateway gateway) {
        routes.clear();
        for (String model : new java.util.TreeSet<>(gateway.models())) {
            routes.put(model, new Routes(gateway.routedVersions(model), gateway.currentWeights(model)));
        }
    }
}
