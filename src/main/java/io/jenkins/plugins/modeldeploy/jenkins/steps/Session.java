package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.event.AmqpSettings;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.event.EventSink;
import io.jenkins.plugins.modeldeploy.event.RabbitMqSink;
import io.jenkins.plugins.modeldeploy.jenkins.engine.Resolver;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One phase's connection to the world: the event bus (build log, and RabbitMQ when configured), the engine and,
 * when the phase needs one, the target. Opened and closed on the execution's worker thread.
 */
final class Session implements AutoCloseable {
    final StepServices services;
    final Resolver resolver;
    final EventBus bus;
    final DeploymentEngine engine;
    private Target target;

    private Session(StepServices services, Resolver resolver, EventBus bus, DeploymentEngine engine) {
        this.services = services;
        this.resolver = resolver;
        this.bus = bus;
        this.engine = engine;
    }

    static Session open(StepServices services, TargetOptions options) throws Exception {
        Resolver resolver = new Resolver(services.configuration(), services.secrets());
        List<EventSink> sinks = new ArrayList<>(services.eventSinks());
        Optional<AmqpSettings> amqp = options == null ? Optional.empty() : resolver.events(options);
        if (amqp.isPresent()) {
            sinks.add(RabbitMqSink.open(amqp.get(), services.workDirectory().resolve("events.spool"),
                    problem -> services.log().println("events: " + problem),
                    event -> services.log().println("events: no queue took " + event.type())));
        }
        EventBus bus = new EventBus(sinks, problem -> services.log().println("events: " + problem));
        DeploymentEngine engine = services.engines().engine(services.workDirectory(), bus::publish);
        return new Session(services, resolver, bus, engine);
    }

    /** Connects to the cluster on first use. */
    Target target(TargetOptions options) throws Exception {
        if (target == null) {
            target = services.engines().target(resolver.kubernetes(options), bus::publish);
        }
        return target;
    }

    void publish(DeploymentEvent event) {
        bus.publish(event);
    }

    @Override
    public void close() {
        try {
            if (target != null) {
                target.close();
            }
        } finally {
            try {
                bus.close(Duration.ofSeconds(30));
            } finally {
                services.cleanUp(); // image layers, a copied model directory, the (by now drained) event spool
            }
        }
    }
}
