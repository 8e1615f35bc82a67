package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.event.AmqpSettings;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.event.EventJson;
import io.jenkins.plugins.modeldeploy.event.EventSink;
import io.jenkins.plugins.modeldeploy.event.RabbitMqSink;
import io.jenkins.plugins.modeldeploy.jenkins.engine.ImageOptions;
import io.jenkins.plugins.modeldeploy.jenkins.engine.ResolvedImage;
import io.jenkins.plugins.modeldeploy.jenkins.engine.ResolvedTarget;
import io.jenkins.plugins.modeldeploy.jenkins.engine.Resolver;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One phase's connection to the world, on the controller: the event bus (build log, and RabbitMQ when configured,
 * its spool kept with the job so unconfirmed events outlive the step), the resolver, and the way to the agent.
 * The work itself — reading the model directory, building images, rolling out, load tests — runs through {@link
 * #onAgent} where the workspace is; its events come back to this bus. Opened and closed on the execution's worker
 * thread.
 */
final class Session implements AutoCloseable {
    final StepServices services;
    final Resolver resolver;
    final EventBus bus;
    private final TargetOptions options;
    /** The last event that came back from the agent (what an interrupted phase was working on). */
    private volatile DeploymentEvent lastEvent;

    private final Path spool;

    private Session(StepServices services, Resolver resolver, EventBus bus, TargetOptions options, Path spool) {
        this.spool = spool;
        this.services = services;
        this.resolver = resolver;
        this.bus = bus;
        this.options = options;
    }

    static Session open(StepServices services, TargetOptions options) throws Exception {
        Resolver resolver = new Resolver(services.configuration(), services.secrets(), services.jobFullName());
        List<EventSink> sinks = new ArrayList<>(services.eventSinks());
        Optional<AmqpSettings> amqp = options == null ? Optional.empty() : resolver.events(options);
        Path spool = null;
        if (amqp.isPresent()) {
            spool = EventSpools.claim(services.eventSpoolDirectories());
            try {
                sinks.add(RabbitMqSink.open(
                        amqp.get(),
                        spool,
                        problem -> services.log().println("events: " + problem),
                        event -> services.log().println("events: no queue took " + event.type())));
            } catch (Exception | Error e) {
                EventSpools.release(spool);
                throw e;
            }
        }
        EventBus bus = new EventBus(sinks, problem -> services.log().println("events: " + problem));
        return new Session(services, resolver, bus, options, spool);
    }

    /** Runs {@code work} where the workspace is, with the session's cluster. */
    <T> T onAgent(AgentWork<T> work) throws Exception {
        return call(true, null, work);
    }

    /** Runs {@code work} where the workspace is, with the session's cluster and the image destination of {@code image}. */
    <T> T onAgent(ImageOptions image, AgentWork<T> work) throws Exception {
        return call(true, image, work);
    }

    /** Runs {@code work} where the workspace is, with the image destination of {@code image} and no cluster. */
    <T> T build(ImageOptions image, AgentWork<T> work) throws Exception {
        return call(false, image, work);
    }

    private <T> T call(boolean cluster, ImageOptions image, AgentWork<T> work) throws Exception {
        ResolvedTarget target;
        if (!cluster || options == null) {
            target = ResolvedTarget.failed("this step connects to no cluster");
        } else {
            target = resolver.target(options); // refusals (folders, kubeconfig commands) before anything runs
        }
        ResolvedImage resolvedImage = image == null ? null : resolver.image(image);
        AgentEvents back = new AgentEvents() {
            @Override
            public void event(String json) {
                try {
                    DeploymentEvent event = EventJson.parse(json);
                    lastEvent = event;
                    bus.publish(event);
                } catch (IOException e) {
                    services.log().println("events: unreadable event from the agent: " + e.getMessage());
                }
            }

            @Override
            public void log(String line) {
                services.log().println(line);
            }

            @Override
            public void smokeReport(String model, String version, SmokeReportFiles.Rendered reports) {
                services.smokeReported(model, version, reports);
            }
        };
        return services.onAgent(new AgentCall<>(
                services.buildNumber(),
                services.runUrl(),
                target,
                resolvedImage,
                resolver.sloDefaults(),
                services.engines(),
                back,
                work));
    }

    void publish(DeploymentEvent event) {
        bus.publish(event);
    }

    /** What the work on the agent last reported (null before any event): the version an abort leaves behind. */
    DeploymentEvent lastEvent() {
        return lastEvent;
    }

    @Override
    public void close() {
        try {
            bus.close(Duration.ofSeconds(30)); // what the broker did not confirm stays in the spool, with the build
        } finally {
            if (spool != null) {
                EventSpools.release(spool);
            }
        }
    }
}
