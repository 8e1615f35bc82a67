package io.jenkins.plugins.modeldeploy.jenkins.log;

import io.jenkins.plugins.modeldeploy.event.ConsoleSink;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.event.EventSink;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretMask;
import java.io.PrintStream;

/**
 * Every engine event as a line of the build log as it happens (a TaskListener's stream), in the console format of
 * the CLI, with every form of every resolved secret masked. A failed rollout's log tail follows its line, masked too.
 */
public final class BuildLogSink implements EventSink {
    private final PrintStream log;
    private final SecretMask mask;
    private final ConsoleSink console;

    public BuildLogSink(PrintStream log, SecretMask mask) {
        this.log = log;
        this.mask = mask;
        this.console = new ConsoleSink(this::println, false);
    }

    @Override
    public void accept(DeploymentEvent event) {
        console.accept(event);
        if (event.details() instanceof EventDetails.RolloutFailed failed) {
            failed.logTail().forEach(line -> println("    | " + line));
        }
    }

    /** Writes one line, masked; for the adapters' own messages too. */
    public void println(String line) {
        synchronized (log) {
            log.println(mask.apply(line));
            log.flush();
        }
    }

    @Override
    public String name() {
        return "build log";
    }
}
