package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.event.AmqpSettings;
import io.jenkins.plugins.modeldeploy.event.ConsoleSink;
import io.jenkins.plugins.modeldeploy.event.EventJson;
import io.jenkins.plugins.modeldeploy.event.EventSubscriber;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "events",
        mixinStandardHelpOptions = true,
        description = "Work with the deployment event bus.",
        subcommands = EventsCommand.Tail.class)
final class EventsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CheckedUsageError(spec.commandLine(), "a subcommand is required (tail)");
    }

    @Command(
            name = "tail",
            mixinStandardHelpOptions = true,
            description = "Print events from RabbitMQ as they arrive (each once, even when republished).")
    static final class Tail implements java.util.concurrent.Callable<Integer> {
        @Option(
                names = "--amqp",
                defaultValue = "amqp://127.0.0.1:5672/",
                paramLabel = "amqp://[user@]host[:port][/vhost]",
                description = "The broker. Give the password by --amqp-password-stdin or $MODEL_DEPLOY_AMQP_PASSWORD:"
                        + " one in the URI shows in the process list. Default: ${DEFAULT-VALUE}.")
        String amqp;

        @Option(
                names = "--amqp-password-stdin",
                description = "Read the RabbitMQ password for --amqp from the first line of standard input.")
        boolean passwordStdin;

        @Option(names = "--model", description = "Only this model's events.")
        String model;

        @Option(
                names = "--queue",
                description = "A durable queue to read from (kept between runs); default: a"
                        + " private queue that goes away with this command.")
        String queue;

        @Option(names = "--count", description = "Stop after this many events.")
        Long count;

        @CommandLine.Mixin
        OutputOption output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (model != null) {
                CliNames.model(spec.commandLine(), "--model", model);
            }
            ConsoleSink lines = new ConsoleSink(out::println, false);
            CountDownLatch done = new CountDownLatch(1);
            AtomicLong received = new AtomicLong();
            EventOptions.warnIfPasswordInUri("--amqp", amqp, err); // ps shows it; as --events does
            AmqpSettings settings = EventOptions.settings(amqp);
            if (passwordStdin) {
                settings = settings.withCredentials(
                        settings.username(), EventOptions.readPassword("--amqp-password-stdin"));
            }
            try (EventSubscriber subscriber = EventSubscriber.open(settings, model, queue)) {
                err.println("listening on " + settings.redacted() + " for "
                        + (model == null ? "all models" : "model " + model) + " (queue " + subscriber.queue() + ")");
                err.flush();
                subscriber.start(
                        event -> {
                            synchronized (out) {
                                if (output.json()) {
                                    out.println(EventJson.toLine(event));
                                } else {
                                    lines.accept(event);
                                }
                                out.flush();
                            }
                            if (count != null && received.incrementAndGet() >= count) {
                                done.countDown();
                            }
                        },
                        problem -> {
                            err.println("events tail: " + problem);
                            err.flush();
                        });
                done.await();
            }
            return 0;
        }
    }
}
