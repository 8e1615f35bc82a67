package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.jenkins.plugins.modeldeploy.target.ConcurrentReleaseException;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The local target's release state: one JSON file per model ({@code <model>.json}) holding the release and every
 * version's stage. Writes go to a temporary file that replaces the old one atomically, under a lock file, so a crash
 * leaves either the old or the new state and two processes cannot both win a compare-and-swap.
 */
public final class FileReleaseStore implements ReleaseStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path directory;

    /** The file's content: the release (absent until the first save) and the stages. */
    record Document(Optional<ReleaseState> release, Map<String, String> stages) {
        Document {
            stages = new TreeMap<>(stages);
        }
    }

    public FileReleaseStore(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
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
            return new Document(Optional.of(next), current.stages());
        });
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
            return new Document(current.release(), stages);
        });
    }

    private static String describe(Optional<ReleaseState> state) {
        return state.map(s -> s.phase() + " at " + s.updated()).orElse("no state");
    }

    private Document read(String model) throws TargetException {
        Path file = file(model);
        if (!Files.exists(file)) {
            return new Document(Optional.empty(), Map.of());
        }
        try {
            return JSON.readValue(file.toFile(), Document.class);
        } catch (IOException e) {
            throw new TargetException("cannot read the release state of model " + model + " from " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private interface Change {
        Document apply(Document current) throws TargetException;
    }

    private void update(String model, Change change) throws TargetException {
        Path file = file(model);
        try {
            Files.createDirectories(directory);
            try (FileChannel lockChannel = FileChannel.open(directory.resolve(model + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lockChannel.lock()) {
                Document next = change.apply(read(model));
                Path temporary = Files.createTempFile(directory, model + "-", ".json.tmp");
                try {
                    try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                        out.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(next)));
                        out.force(true);
                    }
                    try {
                        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE,
                                StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                    }
                } finally {
                    Files.deleteIfExists(temporary);
                }
            }
        } catch (IOException e) {
            throw new TargetException("cannot write the release state of model " + model + " to " + file + ": "
                    + e.getMessage(), e);
        }
    }
}
