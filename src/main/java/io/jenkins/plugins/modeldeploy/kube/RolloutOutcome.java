package io.jenkins.plugins.modeldeploy.kube;

import io.jenkins.plugins.modeldeploy.event.ObjectRef;
import java.time.Duration;
import java.util.List;

/** How a watched rollout ended. */
public sealed interface RolloutOutcome {
    /** Every desired replica of the current template is available. */
    record Available(int readyReplicas, int desiredReplicas, Duration took) implements RolloutOutcome {}

    /**
     * The rollout cannot succeed (or did not within its timeout).
     *
     * @param cause   the short cause, e.g. {@code CrashLoopBackOff}, {@code Unschedulable}, {@code Timeout}
     * @param object  the object that shows it (a Pod, or the Deployment)
     * @param details what Kubernetes said (condition or waiting message, exit code, restarts)
     * @param logTail the crashing container's last log lines, when the cause is a crash
     */
    record Failed(String cause, ObjectRef object, String details, List<String> logTail, Duration took)
            implements RolloutOutcome {
        public Failed {
            logTail = List.copyOf(logTail);
        }
    }
}
