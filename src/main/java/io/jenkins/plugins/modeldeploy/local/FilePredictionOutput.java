package io.jenkins.plugins.modeldeploy.local;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The prediction log's file output: {@code DIR/<model>/<version>.jsonl}, one JSON record a line, appended (a restart
 * continues the file); each batch is flushed to the file before the next is taken.
 */
public final class FilePredictionOutput implements PredictionLogWriter.Output {
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path dir;
    private final Map<String, Writer> writers = new HashMap<>();

    public FilePredictionOutput(Path dir) throws IOException {
        this.dir = dir.toAbsolutePath();
        Files.createDirectories(this.dir);
    }

    /** The file a version's records go to. */
    public static Path file(Path dir, String model, String version) {
        return dir.resolve(model).resolve(version + ".jsonl");
    }

    @Override
    public void write(List<PredictionLogWriter.LogRecord> batch) throws IOException {
        Set<Writer> touched = new LinkedHashSet<>();
        for (PredictionLogWriter.LogRecord record : batch) {
            Writer writer = writer(record.model(), record.version());
            writer.write(record.json());
            writer.write('\n');
            touched.add(writer);
        }
        for (Writer writer : touched) {
            writer.flush();
        }
    }

    private Writer writer(String model, String version) throws IOException {
        String key = model + "\n" + version;
        Writer writer = writers.get(key);
        if (writer == null) {
            if (!SAFE_NAME.matcher(model).matches()
                    || !SAFE_NAME.matcher(version).matches()) {
                throw new IOException("model \"" + model + "\" version \"" + version + "\" is not a safe file name");
            }
            Path file = file(dir, model, version);
            Files.createDirectories(dir.resolve(model));
            writer = new BufferedWriter(
                    Files.newBufferedWriter(
                            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                    64 * 1024);
            writers.put(key, writer);
        }
        return writer;
    }

    @Override
    public String name() {
        return "file " + dir;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Writer writer : writers.values()) {
            try {
                writer.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        writers.clear();
        if (first != null) {
            throw first;
        }
    }
}
