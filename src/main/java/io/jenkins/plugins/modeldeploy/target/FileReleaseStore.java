package io.jenkins.plugins.modeldeploy.target;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The local target's release state: one JSON file per model ({@code <model>.json}) holding the release (in the same
 * JSON form as the cluster's annotation, {@link ReleaseJson}), every version's stage and the evidence recorded on it. Writes go to a temporary file that replaces the old one atomically, under a lock file, so a crash
 * leaves either the old or the new state and two processes cannot both win a compare-and-swap.
 */
public final class FileReleaseStore implements ReleaseStore {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path directory;

    /** The file's content: the release (absent until the first save), the stages and the evidence per version. */
    record Document(
            Optional<ReleaseState> release, Map<String, String> stages, Map<String, Map<String, String>> evidence) {
        Document {
            stages = new TreeMap<>(stages);
            evidence = new TreeMap<>(evidence);
        }

        static final Document EMPTY = new Document(Optional.empty(), Map.of(), Map.of());

        Document withRelease(ReleaseState next) {
            return new Document(Optional.of(next), stages, evidence);
        }
    }

    public FileReleaseStore(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /** The models that have a state file here. */
    public List<String> models() throws TargetException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (var files = Files.list(directory)) {
            return files.map(f -> String.valueOf(f.getFileName()))
                    .filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new TargetException("cannot list the release states in " + directory + ": " + e.getMessage(), e);
        }
    }

    public Path file(String model) {
        return directory.resolve(model + ".json");
    }

    @Override
    public Optional<ReleaseState> load(String model) throws TargetException {
        return read(model).release();
    }

    @Override
    public void save(Optional<ReleaseState> expected, ReleaseState next) throws TargetException {
        update(next.model(), current -> {
            if (!current.release().equals(expected)) {
                throw new ConcurrentReleaseException(next.model(), describe(expected), describe(current.release()));
            }
            return current.withRelease(next);
        });
    }

    @Override
    public void delete(String model) throws TargetException {
        try {
            Files.deleteIfExists(file(model));
        } catch (IOException e) {
            throw new TargetException(
                    "cannot delete the release state of model " + model + " (" + file(model) + "): " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void annotate(VersionRef version, Map<String, String> evidence) throws TargetException {
        update(version.model(), current -> {
            Map<String, Map<String, String>> all = new TreeMap<>(current.evidence());
            Map<String, String> merged = new TreeMap<>(all.getOrDefault(version.version(), Map.of()));
            merged.putAll(evidence);
            all.put(version.version(), merged);
            return new Document(current.release(), current.stages(), all);
        });
    }

    @Override
    public Map<String, String> annotations(VersionRef version) throws TargetException {
        return read(version.model()).evidence().getOrDefault(version.version(), Map.of());
    }

    @Override
    public Map<String, Stage> stages(String model) throws TargetException {
        Map<String, Stage> stages = new LinkedHashMap<>();
        read(model).stages().forEach((version, stage) -> stages.put(version, Stage.parse(stage)));
        return stages;
    }

    @Override
    public void setStage(VersionRef version, Stage stage) throws TargetException {
        update(version.model(), current -> {
            Map<String, String> stages = new TreeMap<>(current.stages());
            stages.put(version.version(), stage.value());
            return new Document(current.release(), stages, current.evidence());
        });
    }

    /**
     * Forgets the version's stage and evidence, as Kubernetes does when the version's Deployment (which carries
     * them) is deleted; the model's release state and history stay. Writes nothing when there is nothing to forget.
     */
    public void forget(VersionRef version) throws TargetException {
        if (!Files.exists(file(version.model()))) {
            return;
        }
        Document stored = read(version.model());
        if (!stored.stages().containsKey(version.version())
                && !stored.evidence().containsKey(version.version())) {
            return;
        }
        update(version.model(), current -> {
            Map<String, String> stages = new TreeMap<>(current.stages());
            stages.remove(version.version());
            Map<String, Map<String, String>> evidence = new TreeMap<>(current.evidence());
            evidence.remove(version.version());
            return new Document(current.release(), stages, evidence);
        });
    }

    private static String describe(Optional<ReleaseState> state) {
        return state.map(s -> s.phase() + " at " + s.updated()).orElse("no state");
    }

    private Document read(String model) throws TargetException {
        Path file = file(model);
        if (!Files.exists(file)) {
            return Document.EMPTY;
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            Optional<ReleaseState> release =
                    node.hasNonNull("release") ? Optional.of(ReleaseJson.read(node.get("release"))) : Optional.empty();
            Map<String, String> stages = new TreeMap<>();
            node.path("stages")
                    .fields()
                    .forEachRemaining(e -> stages.put(e.getKey(), e.getValue().asText()));
            Map<String, Map<String, String>> evidence = new TreeMap<>();
            node.path("evidence").fields().forEachRemaining(e -> {
                Map<String, String> values = new TreeMap<>();
                e.getValue()
                        .fields()
                        .forEachRemaining(
                                v -> values.put(v.getKey(), v.getValue().asText()));
                evidence.put(e.getKey(), values);
            });
            return new Document(release, stages, evidence);
        } catch (IOException | ReleaseJson.InvalidReleaseJsonException e) {
            throw new TargetException(
                    "cannot read the release state of model " + model + " from " + file + ": " + e.getMessage(), e);
        }
    }

    private interface Change {
        Document apply(Document current) throws TargetException;
    }

    private void update(String model, Change change) throws TargetException {
        Path file = file(model);
        try {
            Files.createDirectories(directory);
            try (FileChannel lockChannel = FileChannel.open(
                            directory.resolve(model + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lockChannel.lock()) {
                Document next = change.apply(read(model));
                Path temporary = Files.createTempFile(directory, model + "-", ".json.tmp");
                try {
                    try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                        out.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(json(next))));
                        out.force(true);
                    }
                    try {
                        Files.move(
                                temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                    }
                } finally {
                    Files.deleteIfExists(temporary);
                }
            }
        } catch (IOException e) {
            throw new TargetException(
                    "cannot write the release state of model " + model + " to " + file + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode json(Document document) {
        ObjectNode node = JSON.createObjectNode();
        document.release().ifPresent(r -> node.set("release", ReleaseJson.tree(r)));
        document.stages().forEach(node.putObject("stages")::put);
        ObjectNode evidence = node.putObject("evidence");
        document.evidence().forEach((version, values) -> values.forEach(evidence.putObject(version)::put));
        return node;
    }
}
