package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Where a waiting step and the promotion page meet: the step registers a callback under the promotion's key (again
 * after a restart, from {@code onResume}); the page delivers the decision. In memory only: the decision itself is
 * recorded on the run by {@link PromotionAction}, so a decision given while nothing is registered is not lost.
 */
public final class ApprovalRegistry {
    private static final Map<String, Consumer<Approval>> WAITING = new ConcurrentHashMap<>();

    private ApprovalRegistry() {}

    public static void await(String key, Consumer<Approval> onDecision) {
        WAITING.put(key, onDecision);
    }

    public static void cancel(String key) {
        WAITING.remove(key);
    }

    /** Stops waiting (the step timed out); false when a decision was delivered first. */
    public static boolean withdraw(String key) {
        return WAITING.remove(key) != null;
    }

    public static boolean isWaiting(String key) {
        return WAITING.containsKey(key);
    }

    /** Hands the decision to the step waiting under {@code key}; false when none is (it reads the run later). */
    public static boolean deliver(String key, Approval approval) {
        Consumer<Approval> waiting = WAITING.remove(key);
        if (waiting == null) {
            return false;
        }
        waiting.accept(approval);
        return true;
    }
}
