package io.jenkins.plugins.modeldeploy.event;

import java.io.IOException;
import java.time.Duration;

/** Somewhere events go: the build log, a journal file, a message broker. */
public interface EventSink extends AutoCloseable {
    /** Takes one event. Called from one thread at a time, in publication order. */
    void accept(DeploymentEvent event) throws Exception;

    /** A short name for messages, e.g. {@code console}, {@code journal}, {@code rabbitmq amqp://host:5672/}. */
    String name();

    /**
     * Finishes what was accepted (writes, confirms) within {@code timeout} and releases resources; returns true when
     * nothing accepted was left undelivered.
     */
    default boolean close(Duration timeout) throws IOException {
        close();
        return true;
    }

    @Override
    default void close() throws IOException {}
}
