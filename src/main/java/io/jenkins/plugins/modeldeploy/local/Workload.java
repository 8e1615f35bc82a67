package io.jenkins.plugins.modeldeploy.local;

import java.net.URI;
import java.util.List;

/** One running version on this machine: a harness process or a container. */
interface Workload extends AutoCloseable {
    URI url();

    /** A process id or a container id, for messages and tests. */
    String id();

    boolean isAlive();

    /** Runs {@code action} once the workload has stopped, for whatever reason. */
    void onExit(Runnable action);

    /** Its last log lines. */
    List<String> logTail();

    /** Stops it, letting in-flight requests finish. */
    @Override
    void close();
}
