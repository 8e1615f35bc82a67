package io.jenkins.plugins.modeldeploy.pipeline;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One lifecycle operation in its own JVM on a {@link FakeCluster} kept in a directory: it announces each stored step
 * on stdout and, at the chosen step, stops and waits to be killed — what {@code LifecycleCrashIT} SIGKILLs.
 * Arguments: the cluster directory, {@code approve}, {@code reject} or {@code rollback}, the step to stop at.
 */
public final class CrashableLifecycle {
    private CrashableLifecycle() {}

    public static void main(String[] args) throws Exception {
        String stopAt = args[2];
        try (FakeCluster cluster = new FakeCluster("echo", Path.of(args[0]))) {
            Lifecycle lifecycle = new Lifecycle(
                    new DeploymentEngine(
                            event -> {},
                            plan -> {
                                throw new AssertionError("no image builds here");
                            },
                            Duration.ofMillis(1)),
                    cluster,
                    event -> {},
                    Clock.systemUTC(),
                    step -> {
                        System.out.println("STEP " + step);
                        System.out.flush();
                        if (step.equals(stopAt)) {
                            try {
                                Thread.sleep(Long.MAX_VALUE);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    });
            run(lifecycle, args[1]);
        }
        System.out.println("DONE");
    }

    /** The operation, as the test runs it again after the kill. */
    static Object run(Lifecycle lifecycle, String operation) throws Exception {
        return switch (operation) {
            case "approve" -> lifecycle.decide("echo", "2", new Approval(true, "alice", Instant.now(), ""));
            case "reject" -> lifecycle.decide("echo", "2", new Approval(false, "bob", Instant.now(), "no"));
            case "rollback" ->
                lifecycle.releases().rollBack("echo", Optional.of("1"), "crash test", "carol", Duration.ofHours(1));
            default -> throw new IllegalArgumentException(operation);
        };
    }
}
