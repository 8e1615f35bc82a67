package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup;
import io.jenkins.plugins.modeldeploy.local.DaemonRecord;
import io.jenkins.plugins.modeldeploy.local.LocalClient;
import io.jenkins.plugins.modeldeploy.local.LocalDaemon;
import io.jenkins.plugins.modeldeploy.local.LocalState;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code local start|stop|status}: the persistent local target, one background daemon per state directory. */
@Command(
        name = "local",
        mixinStandardHelpOptions = true,
        description = {
            "Run the local target in the background: a gateway on 127.0.0.1 and the versions' harness"
                    + " processes (or podman containers), kept across CLI invocations so that `deploy`, `promote`,"
                    + " `rollback`, `status` … --target local drive it. One daemon per state directory."
        },
        subcommands = {
            LocalCommand.Start.class,
            LocalCommand.Stop.class,
            LocalCommand.Status.class,
            LocalCommand.Run.class
        })
final class LocalCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CheckedUsageError(spec.commandLine(), "a subcommand is required (start, stop," + " status)");
    }

    /** {@code --state DIR}, absolute. */
    static final class StateOption {
        @Option(
                names = "--state",
                paramLabel = "DIR",
                description = "The state directory. Default: $MODEL_DEPLOY_STATE, else ~/.model-deploy/local.")
        Path state;

        Path directory() {
            return (state != null ? state : LocalClient.defaultState())
                    .toAbsolutePath()
                    .normalize();
        }
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = {
                "Start the local target in the background (its own session, stdin from /dev/null, output"
                        + " to DIR/daemon.log) and print where its gateway answers once it does. Versions and routes the"
                        + " state directory kept from an earlier run come back first.",
                "Exit code 1 when one already runs on the state directory."
            })
    static final class Start implements Callable<Integer> {
        private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

        @CommandLine.Mixin
        StateOption state;

        @Option(
                names = "--port",
                paramLabel = "N",
                description = "The gateway's port on 127.0.0.1. Default: the one this state directory used last"
                        + " when free, else any free port.")
        Integer port;

        @Option(
                names = "--runtime",
                paramLabel = "process|container",
                description = "Run each version as a harness process, or its image with podman. Default: what this"
                        + " state directory used last, else process.")
        String runtime;

        @CommandLine.Mixin
        PredictionLogOptions predictionLog;

        @CommandLine.Mixin
        OutputOption output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (runtime != null && !runtime.equals(LocalDaemon.PROCESS) && !runtime.equals(LocalDaemon.CONTAINER)) {
                throw new CheckedUsageError(
                        spec.commandLine(), "--runtime must be process or container," + " was " + runtime);
            }
            if (port != null && (port < 0 || port > 65535)) {
                throw new CheckedUsageError(spec.commandLine(), "--port must be 0..65535, was " + port);
            }
            predictionLog.settings(spec.commandLine(), null); // checked here, used by the daemon
            Path dir = state.directory();
            Optional<LocalClient.Running> running = LocalClient.running(dir);
            if (running.isPresent()) {
                err.println("model-deploy local start: a local target is already running on " + dir + " (pid "
                        + running.get().record().pid() + ", gateway "
                        + running.get().record().gateway() + ")");
                err.flush();
                return 1;
            }
            LocalState files = new LocalState(dir);
            files.create();
            Optional<DaemonRecord> stale = DaemonRecord.read(files);
            Files.deleteIfExists(files.record()); // stale: its daemon is gone or does not answer
            long logStart = Files.exists(files.log()) ? Files.size(files.log()) : 0;
            Process daemon = launch(dir, files.log());
            Instant deadline = Instant.now().plus(START_TIMEOUT);
            while (true) {
                Optional<DaemonRecord> record = DaemonRecord.read(files);
                if (record.isPresent() && !record.equals(stale)) {
                    Optional<LocalClient.Running> started = LocalClient.running(dir);
                    if (started.isPresent()) {
                        print(started.get().record(), out);
                        return 0;
                    }
                }
                if (!daemon.isAlive()) {
                    err.println("model-deploy local start: the local target on " + dir + " did not start (exit code "
                            + daemon.exitValue() + "): " + tail(files.log(), logStart));
                    err.flush();
                    return 1;
                }
                if (Instant.now().isAfter(deadline)) {
                    daemon.destroy();
                    err.println("model-deploy local start: the local target on " + dir + " did not answer within "
                            + START_TIMEOUT.toMinutes() + " min; it was stopped (see " + files.log() + ")");
                    err.flush();
                    return 1;
                }
                Thread.sleep(100);
            }
        }

        /** {@code setsid java … local run}: its own session, detached from this terminal. */
        @SuppressFBWarnings(
                value = "DMI_HARDCODED_ABSOLUTE_FILENAME",
                justification = "setsid is looked for where Debian installs it")
        private Process launch(Path dir, Path log) throws IOException {
            List<String> command = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                command.add("/usr/bin/setsid");
            }
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of(
                    "-XX:+UseSerialGC",
                    "-Xmx512m",
                    "-cp",
                    classpath(),
                    ModelDeployCommand.class.getName(),
                    "local",
                    "run",
                    "--state",
                    dir.toString()));
            if (port != null) {
                command.addAll(List.of("--port", port.toString()));
            }
            if (runtime != null) {
                command.addAll(List.of("--runtime", runtime));
            }
            command.addAll(predictionLog.forDaemon());
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().remove(PredictionLogOptions.ENV);
            if (predictionLog.destination != null) {
                builder.environment().put(PredictionLogOptions.ENV, predictionLog.destination);
            }
            return builder.directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        }

        private static String classpath() {
            return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(entry -> !entry.isEmpty())
                    .map(entry -> Path.of(entry).toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator));
        }

        private void print(DaemonRecord record, PrintWriter out) {
            if (output.json()) {
                ObjectNode json = JSON.createObjectNode();
                json.put("gateway", record.gateway().toString());
                json.put("state", record.state().toString());
                json.put("pid", record.pid());
                out.println(json);
            } else {
                out.println("local target running on " + record.state() + " (pid " + record.pid() + ", "
                        + record.runtime() + " runtime): gateway " + record.gateway());
            }
            out.flush();
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = {
                "Stop the local target and every version process it started (SIGTERM: they drain their"
                        + " requests, and are killed after a bound), and wait until they are gone. What it ran comes"
                        + " back at the next `local start` on the same state directory.",
                "Exit code 1 when none runs on the state directory."
            })
    static final class Stop implements Callable<Integer> {
        @CommandLine.Mixin
        StateOption state;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                defaultValue = "60s",
                converter = DurationConverter.class,
                description = "How long it may take before what is left is killed. Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        @CommandLine.Mixin
        OutputOption output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path dir = state.directory();
            LocalClient.Stopped stopped = LocalClient.stop(dir, timeout);
            if (output.json()) {
                out.println(JSON.createObjectNode()
                        .put("state", dir.toString())
                        .put("pid", stopped.pid())
                        .put("versions", stopped.versions())
                        .put("killed", stopped.killed()));
            } else {
                out.println("stopped the local target on " + dir + " (pid " + stopped.pid() + ") and the "
                        + stopped.versions() + " version" + (stopped.versions() == 1 ? "" : "s") + " it ran"
                        + (stopped.killed() ? "; some had to be killed" : ""));
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = {
                "Whether the local target runs on the state directory, where its gateway answers, and its"
                        + " versions' processes.",
                "Exit code 1 when none runs."
            })
    static final class Status implements Callable<Integer> {
        @CommandLine.Mixin
        StateOption state;

        @CommandLine.Mixin
        OutputOption output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path dir = state.directory();
            Optional<LocalClient.Running> running = LocalClient.running(dir);
            if (output.json()) {
                ObjectNode json = JSON.createObjectNode();
                json.put("running", running.isPresent());
                json.put("state", dir.toString());
                running.ifPresent(r -> {
                    json.put("pid", r.record().pid());
                    json.put("gateway", r.record().gateway().toString());
                    json.put("runtime", r.record().runtime());
                    json.put("started", r.record().started().toString());
                    json.set("versions", r.info().path("versions"));
                });
                out.println(json);
            } else if (running.isEmpty()) {
                out.println("no local target is running on " + dir);
            } else {
                DaemonRecord record = running.get().record();
                out.println("local target running on " + dir + " (pid " + record.pid() + ", " + record.runtime()
                        + " runtime, since " + DateTimeFormatter.ISO_INSTANT.format(record.started()) + "): gateway "
                        + record.gateway());
                for (JsonNode version : running.get().info().path("versions")) {
                    out.printf(
                            "  %s-%s  %s%s%n",
                            version.path("model").asText(),
                            version.path("version").asText(),
                            version.path("workload").asText("scaled to zero"),
                            version.path("running").asBoolean()
                                            && !version.path("ready").asBoolean()
                                    ? " (not ready)"
                                    : "");
                }
            }
            out.flush();
            return running.isPresent() ? 0 : 1;
        }
    }

    @Command(
            name = "run",
            hidden = true,
            mixinStandardHelpOptions = true,
            description = "Run the local target in the foreground (what `local start` runs in the background).")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        StateOption state;

        @Option(names = "--port", paramLabel = "N")
        Integer port;

        @Option(names = "--runtime", paramLabel = "process|container")
        String runtime;

        @CommandLine.Mixin
        PredictionLogOptions predictionLog;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            java.util.function.Consumer<String> log = line -> {
                synchronized (out) {
                    out.println(Instant.now() + " " + line);
                    out.flush();
                }
            };
            LocalDaemon daemon;
            try {
                daemon = LocalDaemon.start(
                        new LocalDaemon.Options(
                                state.directory(),
                                port == null ? OptionalInt.empty() : OptionalInt.of(port),
                                Optional.ofNullable(runtime),
                                predictionLog.settings(spec.commandLine(), System.getenv(PredictionLogOptions.ENV))),
                        log);
            } catch (LocalDaemon.AlreadyRunningException e) {
                log.accept(e.getMessage());
                return 3;
            }
            // the exit sweep of leftover harnesses waits for the daemon's own orderly stop (gateway drained, its
            // crash supervisor stopped first, the desired state saved), so it never stops a version under it
            var sweepHold = ExitCleanup.holdExit(Duration.ofMinutes(2));
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                daemon.close();
                                ExitCleanup.release(sweepHold);
                            },
                            "stop the local target"));
            daemon.awaitStopped();
            return 0;
        }
    }

    /** The log's lines written since {@code from}, the last few, on one line. */
    static String tail(Path log, long from) {
        try {
            byte[] all = Files.readAllBytes(log);
            String text = new String(
                            all,
                            (int) Math.min(from, all.length),
                            (int) Math.max(0, all.length - from),
                            StandardCharsets.UTF_8)
                    .strip();
            List<String> lines = text.lines().toList();
            return lines.isEmpty()
                    ? "it wrote nothing to " + log
                    : String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "see " + log;
        }
    }

    /** {@code --prediction-log}, {@code --log-sample}, {@code --log-exclude}: prediction logging by version. */
    static final class PredictionLogOptions {
        /** How {@code local start} hands the destination to its daemon: never on a command line (it may hold a password). */
        static final String ENV = "MODEL_DEPLOY_PREDICTION_LOG";

        @Option(
                names = "--prediction-log",
                paramLabel = "file:DIR|amqp://HOST",
                description = "Log answered predictions (JSON Lines: time, model, version, route, requestId, status,"
                        + " latencyMs, request, response): to DIR/<model>/<version>.jsonl, or to the RabbitMQ topic"
                        + " exchange model-deploy.predictions (routing key <model>.<version>). Default: off.")
        String destination;

        @Option(
                names = "--log-sample",
                paramLabel = "RATE",
                description = "The share of answered predictions logged, in (0, 1]. Default: 1.")
        Double sample;

        @Option(
                names = "--log-exclude",
                paramLabel = "FIELD",
                description = "Drop a field from every record before it is written (repeatable): request or response"
                        + " (the whole body), request.KEY or response.KEY (a top-level key of the body), or a record"
                        + " field such as requestId.")
        List<String> exclude = new ArrayList<>();

        /** The settings, empty when logging is off; a usage error names the wrong option. */
        Optional<io.jenkins.plugins.modeldeploy.local.PredictionLogWriter.Settings> settings(
                CommandLine commandLine, String fromEnvironment) {
            String where = destination != null ? destination : fromEnvironment;
            if (where == null || where.isBlank()) {
                if (sample != null || !exclude.isEmpty()) {
                    throw new CheckedUsageError(commandLine, "--log-sample and --log-exclude need --prediction-log");
                }
                return Optional.empty();
            }
            try {
                return Optional.of(new io.jenkins.plugins.modeldeploy.local.PredictionLogWriter.Settings(
                        where, sample == null ? 1.0 : sample, exclude));
            } catch (IllegalArgumentException e) {
                throw new CheckedUsageError(commandLine, e.getMessage());
            }
        }

        /** The options for {@code local run}, without the destination (it goes in {@link #ENV}). */
        List<String> forDaemon() {
            List<String> args = new ArrayList<>();
            if (sample != null) {
                args.addAll(List.of("--log-sample", sample.toString()));
            }
            exclude.forEach(field -> args.addAll(List.of("--log-exclude", field)));
            return args;
        }
    }
}
