package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.event.AmqpSettings;
import io.jenkins.plugins.modeldeploy.event.ConsoleSink;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.event.EventBusException;
import io.jenkins.plugins.modeldeploy.event.EventSink;
import io.jenkins.plugins.modeldeploy.event.JournalSink;
import io.jenkins.plugins.modeldeploy.event.RabbitMqSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where a command's deployment events go: always the console and the journal, and RabbitMQ with --events. */
final class EventOptions {
    static final String PASSWORD_ENV = "MODEL_DEPLOY_AMQP_PASSWORD";

    @Option(
            names = "--events",
            paramLabel = "amqp://[user@]host[:port][/vhost]",
            description = "Also publish events to this RabbitMQ broker. Give the password by"
                    + " --events-password-stdin or $" + PASSWORD_ENV + ": one in the URI shows in the process list.")
    String amqpUri;

    @Option(
            names = "--events-password-stdin",
            description = "Read the RabbitMQ password for --events from the first line of standard input.")
    boolean passwordStdin;

    @Option(
            names = "--journal-dir",
            paramLabel = "DIR",
            defaultValue = ".model-deploy/events",
            description = "Where the JSON-lines journal of each deployment goes. Default: ${DEFAULT-VALUE}.")
    Path journalDir;

    EventBus open(PrintWriter console) throws IOException, EventBusException {
        List<EventSink> sinks = new ArrayList<>();
        sinks.add(new ConsoleSink(OutputOption.lines(console), false));
        sinks.add(new JournalSink(journalDir));
        if (amqpUri != null) {
            AmqpSettings settings = settings(amqpUri);
            warnIfPasswordInUri("--events", amqpUri, console);
            if (passwordStdin) {
                settings = settings.withCredentials(settings.username(), readPassword());
            }
            sinks.add(RabbitMqSink.open(
                    settings,
                    journalDir.resolve("rabbitmq-spool.jsonl"),
                    problem -> {
                        console.println("events: " + problem);
                        console.flush();
                    },
                    event -> {}));
        }
        return new EventBus(sinks, problem -> {
            console.println("events: " + problem);
            console.flush();
        });
    }

    /** The broker of {@code uri}; a password in $MODEL_DEPLOY_AMQP_PASSWORD wins over one in the URI. */
    static AmqpSettings settings(String uri) {
        AmqpSettings settings = AmqpSettings.parse(uri);
        String password = System.getenv(PASSWORD_ENV);
        return password != null ? settings.withCredentials(settings.username(), password) : settings;
    }

    /**
     * Says on {@code err} that a password written into the URI is readable by every local user (ps,
     * /proc/PID/cmdline) for as long as the command runs; the command goes on, as git and docker do.
     */
    static void warnIfPasswordInUri(String option, String uri, PrintWriter err) {
        if (AmqpSettings.hasPassword(uri)) {
            err.println("events: warning: the password in the " + option + " URI is visible to other users in the"
                    + " process list; give it by " + option + "-password-stdin or $" + PASSWORD_ENV + " instead");
            err.flush();
        }
    }

    private static String readPassword() throws IOException {
        return readPassword("--events-password-stdin");
    }

    /** The first line of standard input, for {@code option} (a {@code --…-password-stdin} flag). */
    static String readPassword(String option) throws IOException {
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
            throw new IOException(option + ": standard input held no password (an empty first line)");
        }
        return line;
    }
}
