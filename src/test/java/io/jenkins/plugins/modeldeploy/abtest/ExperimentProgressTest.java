package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The runner hands its evidence to a progress display after every reading; the last reading is the deciding one. */
class ExperimentProgressTest {
    @Test
    void everyReadingReachesTheProgressConsumerWithEachVariantsCountsAndEachMetricsInterval() throws Exception {
        ExperimentRunnerInterruptTest.InterruptSensitiveRouter router =
                new ExperimentRunnerInterruptTest.InterruptSensitiveRouter();
        AtomicLong reads = new AtomicLong();
        // each reading adds 900 champion requests (1% errors) and 100 challenger requests (1% errors)
        MetricsSource metrics = (model, version) -> {
            long n = reads.incrementAndGet();
            boolean champion = version.equals("1");
            long requests = (champion ? 900 : 100) * n;
            return new VariantStats(version, requests, requests / 100, 0, 1.0, 2.0);
        };
        ExperimentPlan plan = new ExperimentPlan(
                "iris",
                "1",
                "2",
                10,
                Duration.ofMillis(50),
                Duration.ofMillis(300),
                100,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                OptionalDouble.empty(),
                50);
        List<ExperimentProgress> readings = new ArrayList<>();
        ExperimentResult result = new ExperimentRunner(router, metrics, e -> {}, Duration.ofMillis(20), readings::add)
                .run(plan, List.of());

        assertThat(readings).isNotEmpty();
        assertThat(readings.subList(0, readings.size() - 1)).noneMatch(ExperimentProgress::decided);
        ExperimentProgress last = readings.get(readings.size() - 1);
        assertThat(last.decided()).isTrue();
        assertThat(last.verdict()).isEqualTo(result.verdict());
        assertThat(last.challenger()).isEqualTo(result.challenger());
        assertThat(last.comparisons()).hasSize(2);
        assertThat(last.describe())
                .matches("\\d+/0 s: champion 1 \\d+ req 1\\.00% err, challenger 2 \\d+ req 1\\.00% err;"
                        + " error rate \\[[-+][0-9.]+, [-+][0-9.]+\\] pp [a-z ]+;"
                        + " SLO violations \\(> 50 ms\\) \\[[-+][0-9.]+, [-+][0-9.]+\\] pp [a-z ]+;"
                        + " (PROMOTE|ROLLBACK|INCONCLUSIVE)");
        assertThat(router.weights).isEqualTo(Map.of("1", 100));
    }

    @Test
    void aFixedHorizonIntervalNotYetReadSaysWhenItWillBe() {
        MetricComparison waiting = new MetricComparison(
                "error rate",
                0.01,
                0.02,
                DifferenceInterval.UNBOUNDED,
                0.975,
                false,
                9876,
                0.01,
                ExperimentPlan.Gate.Kind.NON_INFERIORITY,
                MetricComparison.Finding.UNDECIDED);
        ExperimentProgress progress = new ExperimentProgress(
                Duration.ofSeconds(42),
                Duration.ofMinutes(30),
                new VariantStats("1", 3800, 4, 0, 1, 2),
                new VariantStats("2", 420, 1, 0, 1, 2),
                List.of(waiting),
                false,
                Verdict.INCONCLUSIVE);
        assertThat(progress.describe())
                .isEqualTo("42/1800 s: champion 1 3800 req 0.11% err, challenger 2 420 req 0.24% err;"
                        + " error rate interval read at 9876 requests per variant");
    }
}
