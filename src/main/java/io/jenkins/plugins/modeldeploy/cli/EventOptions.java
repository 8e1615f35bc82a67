package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.event.AmqpSettings;
import io.jenkins.plugins.modeldeploy.event.ConsoleSink;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.event.EventBusException;
import io.jenkins.plugins.modeldeploy.event.EventSink;
import io.jenkins.plugins.modeldeploy.event.JournalSink;
import io.jenkins.plugins.modeldeploy.event.RabbitMqSink;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where a command's deployment events go: always the console and the journal, and RabbitMQ with --events. */
final class EventOptions {
    @Option(
            names = "--events",
            paramLabel = "amqp://[user[:password]@]host[:port][/vhost]",
            description =
                    "Also publish events to this RabbitMQ broker (password also from $MODEL_DEPLOY_AMQP_PASSWORD).")
    String amqpUri;

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

    static AmqpSettings settings(String uri) {
        AmqpSettings settings = AmqpSettings.parse(uri);
        String password = System.getenv("MODEL_DEPLOY_AMQP_PASSWORD");
        return password != null ? settings.withCredentials(settings.username(), password) : settings;
    }
}
