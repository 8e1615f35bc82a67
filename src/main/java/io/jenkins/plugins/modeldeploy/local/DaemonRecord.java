package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a running daemon writes to {@code daemon.json} once it serves: who it is and where it answers.
 *
 * @param gateway where models are served ({@code /models/m}, {@code /models/m/v})
 * @param control the control API (loopback, bearer token from the state directory's {@code token} file)
 * @param runtime {@code process} or {@code container}
 */
public record DaemonRecord(long pid, URI gateway, URI control, Path state, String runtime, Instant started) {
    static final String SCHEMA = "model-deploy.local-daemon/v1";

    public DaemonRecord {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(started, "started");
    }

    ObjectNode json() {
        return Wire.JSON
                .createObjectNode()
                .put("schema", SCHEMA)
                .put("pid", pid)
                .put("gateway", gateway.toString())
                .put("control", control.toString())
                .put("state", state.toString())
                .put("runtime", runtime)
                .put("started", started.toString());
    }

    static DaemonRecord parse(JsonNode node) throws IOException {
        if (!SCHEMA.equals(node.path("schema").asText())) {
            throw new IOException("not a " + SCHEMA + " record");
        }
        try {
            return new DaemonRecord(
                    node.path("pid").asLong(),
                    URI.create(Wire.text(node, "gateway")),
                    URI.create(Wire.text(node, "control")),
                    Path.of(Wire.text(node, "state")),
                    Wire.text(node, "runtime"),
                    Instant.parse(Wire.text(node, "started")));
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The record in {@code state}, if there is a readable one (it may be stale: the daemon may be gone). */
    public static Optional<DaemonRecord> read(LocalState state) {
        try {
            return Optional.of(parse(Wire.JSON.readTree(Files.readString(state.record(), StandardCharsets.UTF_8))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // half-written by a daemon that died, or not ours: treated as absent
        }
    }

    void write(LocalState state) throws IOException {
        LocalState.write(state.record(), json().toString().getBytes(StandardCharsets.UTF_8), false);
    }

    /** Whether the process the record names still exists (it may be another process that got the pid since). */
    public boolean processAlive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
