package io.jenkins.plugins.modeldeploy.event;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable local record: one JSON-lines file per deployment ({@code <model>-<version>.jsonl}), appended to, and
 * forced to disk at every phase boundary (the last event of a phase, or the first of a new one) and on close.
 */
public final class JournalSink implements EventSink {
    private final Path directory;
    private final Map<String, FileChannel> files = new HashMap<>();
    private final Map<String, Phase> lastPhase = new HashMap<>();

    public JournalSink(Path directory) throws IOException {
        this.directory = Files.createDirectories(directory);
    }

    public Path fileOf(String model, String version) {
        return directory.resolve(model + "-" + version + ".jsonl");
    }

    @Override
    public void accept(DeploymentEvent event) throws IOException {
        FileChannel file = files.get(event.deployment());
        if (file == null) {
            file = FileChannel.open(
                    fileOf(event.model(), event.version()),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            files.put(event.deployment(), file);
        }
        Phase previous = lastPhase.put(event.deployment(), event.phase());
        if (previous != null && previous != event.phase()) {
            file.force(false); // what the previous phase wrote is on disk before the next phase's first line
        }
        ByteBuffer line = ByteBuffer.wrap((EventJson.toLine(event) + "\n").getBytes(StandardCharsets.UTF_8));
        while (line.hasRemaining()) {
            file.write(line);
        }
        if (event.details().endsPhase()) {
            file.force(false);
        }
    }

    /** Every event in a journal file, in order. */
    public static List<DeploymentEvent> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<DeploymentEvent> events = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                events.add(EventJson.parse(lines.get(i)));
            } catch (IOException e) {
                throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return events;
    }

    @Override
    public String name() {
        return "journal " + directory;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (FileChannel file : files.values()) {
            try {
                file.force(false);
                file.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        files.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
