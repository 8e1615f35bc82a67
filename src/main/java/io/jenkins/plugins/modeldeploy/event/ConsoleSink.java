package io.jenkins.plugins.modeldeploy.event;

import io.jenkins.plugins.modeldeploy.redact.Redaction;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Human lines for a console or a build log: one per event, e.g.
 * {@code 12:00:03 iris-2 rollout   ready 1/2 (Deployment models/iris-2)}. In compact form, consecutive progress events
 * of one deployment are shortened to their state.
 */
public final class ConsoleSink implements EventSink {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Consumer<String> out;
    private final boolean compact;
    private String lastProgressOf;

    public ConsoleSink(Consumer<String> out, boolean compact) {
        this.out = out;
        this.compact = compact;
    }

    @Override
    public void accept(DeploymentEvent event) {
        out.accept(format(event));
    }

    String format(DeploymentEvent event) {
        String where = event.object().map(ref -> " (" + ref + ")").orElse("");
        boolean progress = event.details() instanceof EventDetails.RolloutProgress;
        if (compact && progress && event.deployment().equals(lastProgressOf)) {
            EventDetails.RolloutProgress p = (EventDetails.RolloutProgress) event.details();
            return String.format(
                    Locale.ROOT,
                    "%s %s   ... %s %d/%d",
                    TIME.format(event.time()),
                    event.deployment(),
                    p.state(),
                    p.ready(),
                    p.desired());
        }
        lastProgressOf = progress ? event.deployment() : null;
        return String.format(
                Locale.ROOT,
                "%s %s %-9s %s%s",
                TIME.format(event.time()),
                event.deployment(),
                event.phase().id(),
                Redaction.text(event.message()),
                where);
    }

    @Override
    public String name() {
        return "console";
    }
}
