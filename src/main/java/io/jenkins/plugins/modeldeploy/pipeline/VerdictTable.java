package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.Stage;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What every result of a deployment leads to — the one place that decides it. The lifecycle looks each result up
 * here; no driver (CLI, Pipeline step, freestyle step) branches on a verdict itself. docs/lifecycle.md prints this
 * table, and a test keeps the two equal.
 */
public final class VerdictTable {
    private VerdictTable() {}

    /** A result the lifecycle reaches. */
    public enum Result {
        ROLLOUT_FAILED("the rollout failed (the target names the cause)"),
        SMOKE_FAILED("the smoke test failed its SLO"),
        FIRST_RELEASE("the smoke test passed (or was skipped) and no version serves production"),
        SMOKE_PASSED("the smoke test passed (or was skipped) and another version serves production"),
        AB_TEST_FAILED("the A/B test could not run or read its metrics (the error names why)"),
        VERDICT_PROMOTE("the A/B test showed the challenger fit for production"),
        VERDICT_ROLLBACK("the A/B test showed the challenger worse than production"),
        VERDICT_INCONCLUSIVE("the A/B test could not decide within its maximum duration, or was invalid"),
        APPROVED("a person (or --approve, or a step without an approval block) approved"),
        REJECTED("a person rejected"),
        APPROVAL_TIMED_OUT("nobody decided before the approval timeout"),
        ABORTED("the run was ended while in progress: rollback or undeploy of the version, or its driver was stopped"
                + " (Ctrl-C, an aborted build)");

        private final String meaning;

        Result(String meaning) {
            this.meaning = meaning;
        }

        public String meaning() {
            return meaning;
        }
    }

    /** What the lifecycle does next. */
    public enum Action {
        /** Weight 0 on the stable route, stage set, per-version route dropped, the version removed. */
        TAKE_OUT,
        /** All of the stable route to the version; the one it replaces is kept for the keep window. */
        PROMOTE,
        /** Split the stable route and measure (the A/B test). */
        AB_TEST,
        /** Store the verdict and wait for a decision (the CLI asks or takes --approve/--reject; Jenkins suspends). */
        AWAIT_APPROVAL
    }

    /**
     * One row.
     *
     * @param outcome how the run ends, when this row ends it
     * @param stage   the stage the version is left with, when it is taken out
     * @param removal FAILED versions follow the run's {@code onFailure} setting (REMOVE, or SCALE_TO_ZERO to keep
     *                them for inspection); every other version taken out is removed
     */
    public record Rule(Result result, Action action, Optional<Outcome> outcome, Optional<Stage> stage, String removal) {
        public Rule {
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(removal, "removal");
        }
    }

    private static final Map<Result, Rule> RULES = new EnumMap<>(Result.class);

    static {
        takeOut(Result.ROLLOUT_FAILED, Outcome.FAILED, Stage.FAILED, "on-failure");
        takeOut(Result.SMOKE_FAILED, Outcome.FAILED, Stage.FAILED, "on-failure");
        rule(Result.FIRST_RELEASE, Action.PROMOTE, Optional.of(Outcome.PROMOTED));
        rule(Result.SMOKE_PASSED, Action.AB_TEST, Optional.empty());
        takeOut(Result.AB_TEST_FAILED, Outcome.FAILED, Stage.FAILED, "on-failure");
        rule(Result.VERDICT_PROMOTE, Action.AWAIT_APPROVAL, Optional.empty());
        takeOut(Result.VERDICT_ROLLBACK, Outcome.ROLLED_BACK, Stage.ROLLED_BACK, "remove");
        takeOut(Result.VERDICT_INCONCLUSIVE, Outcome.REJECTED, Stage.REJECTED, "remove");
        rule(Result.APPROVED, Action.PROMOTE, Optional.of(Outcome.PROMOTED));
        takeOut(Result.REJECTED, Outcome.REJECTED, Stage.REJECTED, "remove");
        takeOut(Result.APPROVAL_TIMED_OUT, Outcome.REJECTED, Stage.REJECTED, "remove");
        takeOut(Result.ABORTED, Outcome.ROLLED_BACK, Stage.ROLLED_BACK, "remove");
    }

    private static void rule(Result result, Action action, Optional<Outcome> outcome) {
        RULES.put(result, new Rule(result, action, outcome, Optional.empty(), "-"));
    }

    private static void takeOut(Result result, Outcome outcome, Stage stage, String removal) {
        RULES.put(result, new Rule(result, Action.TAKE_OUT, Optional.of(outcome), Optional.of(stage), removal));
    }

    public static Rule on(Result result) {
        return RULES.get(result);
    }

    /** Every row, in the order of {@link Result}. */
    public static List<Rule> rules() {
        return List.copyOf(RULES.values());
    }

    /** The table as Markdown (what docs/lifecycle.md shows). */
    public static String markdown() {
        StringBuilder table = new StringBuilder(
                "| result | meaning | action | outcome | stage | removal |\n" + "|---|---|---|---|---|---|\n");
        for (Rule rule : rules()) {
            table.append("| `")
                    .append(rule.result())
                    .append("` | ")
                    .append(rule.result().meaning())
                    .append(" | `")
                    .append(rule.action())
                    .append("` | ")
                    .append(rule.outcome().map(o -> "`" + o + "`").orElse("-"))
                    .append(" | ")
                    .append(rule.stage().map(s -> "`" + s.value() + "`").orElse("-"))
                    .append(" | ")
                    .append(rule.removal())
                    .append(" |\n");
        }
        return table.toString();
    }
}
