package io.jenkins.plugins.modeldeploy.event;

import java.util.List;

/** One event of every type, for round-trip tests. */
final class SampleEvents {
    private SampleEvents() {}

    static List<EventDetails> everyType() {
        return List.of(
                new EventDetails.BuildStarted("registry.local/models/iris:2"),
                new EventDetails.BuildFinished("registry.local/models/iris:2", "sha256:" + "a".repeat(64), 1, 4096),
                new EventDetails.BuildFailed("registry unreachable"),
                new EventDetails.VerifyStarted("registry.local/models/iris:2", 3, "podman"),
                new EventDetails.VerifyFinished("registry.local/models/iris:2", 3, 3, "podman"),
                new EventDetails.RolloutProgress("ready", 1, 2),
                new EventDetails.RolloutSucceeded(2, 12.5),
                new EventDetails.RolloutFailed("CrashLoopBackOff", List.of("Traceback", "ValueError: x")),
                new EventDetails.RolloutWarning("Unschedulable", "0/3 nodes are available: 3 Insufficient memory."),
                new EventDetails.SmokeStarted("http://iris-2/predict", 100, 30),
                new EventDetails.SmokeFinished(true, 3000, 100, 1.2, 3.4, 0, List.of()),
                new EventDetails.AbTestStarted("1", "2", 10),
                new EventDetails.AbTestDecided("PROMOTE", "error rate 0.1% vs 2.0%, p=0.001"),
                new EventDetails.ApprovalRequested("https://jenkins/job/x/1/model-deploy"),
                new EventDetails.ApprovalGiven("alice", true, "looks good"),
                new EventDetails.Promoted("1", "sha256:" + "b".repeat(64)),
                new EventDetails.RolledBack("1", "sha256:" + "c".repeat(64), "rejected"),
                new EventDetails.VersionRemoved("rejected", "REMOVE", "rejected by alice"),
                new EventDetails.DeployFinished("REJECTED", "PROMOTE", "1", "rejected by alice"));
    }

    static DeploymentEvent event(String model, String version, EventDetails details) {
        return DeploymentEvent.of(model, version, details.type() + " happened", details);
    }
}
