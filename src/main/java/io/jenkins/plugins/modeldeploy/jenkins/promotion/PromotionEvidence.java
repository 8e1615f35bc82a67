package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.pipeline.PromotionRequest;
import io.jenkins.plugins.modeldeploy.smoke.LoadResult;
import io.jenkins.plugins.modeldeploy.smoke.SmokeReports;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an approver decides on, stored with the run in build.xml (plain fields; never in the Pipeline's program
 * state): the versions and image digests, the smoke percentiles, the A/B statistics — and, until the run's
 * {@link ModelDeploymentsAction} has written it to a file, the smoke test's HTML report with its plots.
 */
public final class PromotionEvidence implements Serializable {
    /**
     * Serializable because it is made where the deployment ran (the agent) and crosses the channel to the controller;
     * the report HTML does not travel (transient): the controller has the step's own copy of the report.
     */
    private static final long serialVersionUID = 2L;

    static final double[] PERCENTILES = {50, 90, 95, 99, 99.9};

    private final String model;
    private final String champion;
    private final String challenger;
    private final String championImage;
    private final String challengerImage;
    private final boolean smokeRan;
    private final boolean smokePassed;
    private final long smokeRequests;
    private final double smokeRate;
    private final double smokeErrorRate;
    private final LinkedHashMap<String, Double> smokePercentiles;
    private final ArrayList<String> smokeReasons;
    /** Not in build.xml: {@link ModelDeploymentsAction} keeps it as a file in the run's folder. */
    @SuppressFBWarnings(
            value = "SE_TRANSIENT_FIELD_NOT_RESTORED",
            justification =
                    "null after crossing the agent's"
                            + " channel or loading build.xml means no report here: the run keeps its own copy (getSmokeReportHtml)")
    private final transient String smokeReportHtml;

    private final String verdict;
    private final ArrayList<String> verdictReasons;
    private final Variant championStats;
    private final Variant challengerStats;
    private final double errorRatePValue;
    private final double sloPValue;
    private final double srmPValue;
    private final double experimentSeconds;

    /** One variant's A/B numbers. */
    public static final class Variant implements Serializable {
        private static final long serialVersionUID = 1L;
        public final String version;
        public final long requests;
        public final long errors;
        public final double errorRate;
        public final double sloViolationRate;
        public final double p50Ms;
        public final double p99Ms;

        Variant(VariantStats stats) {
            version = stats.version();
            requests = stats.requests();
            errors = stats.errors();
            errorRate = stats.errorRate();
            sloViolationRate = stats.sloViolationRate();
            p50Ms = stats.p50Ms();
            p99Ms = stats.p99Ms();
        }

        public String getVersion() {
            return version;
        }

        public long getRequests() {
            return requests;
        }

        public long getErrors() {
            return errors;
        }

        public String getErrorRate() {
            return String.format(java.util.Locale.ROOT, "%.3f%%", errorRate * 100);
        }

        public String getSloViolationRate() {
            return String.format(java.util.Locale.ROOT, "%.3f%%", sloViolationRate * 100);
        }

        public double getP50Ms() {
            return p50Ms;
        }

        public double getP99Ms() {
            return p99Ms;
        }
    }

    /** @param request its experiment is empty when only the stored verdict and reasons are known */
    public PromotionEvidence(PromotionRequest request) {
        model = request.model();
        champion = request.champion();
        challenger = request.challenger();
        championImage = request.championImage().orElse("");
        challengerImage = request.challengerImage().orElse("");
        SmokeResult smoke = request.smoke().orElse(null);
        smokeRan = smoke != null;
        smokePassed = smoke != null && smoke.passed();
        LoadResult load = smoke == null ? null : smoke.load();
        smokeRequests = load == null ? 0 : load.requests();
        smokeRate = load == null ? 0 : load.achievedRate();
        smokeErrorRate = load == null ? 0 : load.errorRate();
        smokePercentiles = new LinkedHashMap<>();
        if (load != null) {
            for (double p : PERCENTILES) {
                smokePercentiles.put(
                        "p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)), load.latencyMs(p));
            }
            smokePercentiles.put("max", load.maxLatencyMs());
        }
        smokeReasons =
                new ArrayList<>(smoke == null ? List.of() : smoke.verdict().reasons());
        smokeReportHtml = smoke == null ? "" : SmokeReports.html(smoke);
        ExperimentResult experiment = request.experiment().orElse(null);
        if (experiment == null) { // only the stored verdict (a run resumed after a restart), or no A/B test at all
            verdict = request.verdict().name();
            verdictReasons = new ArrayList<>(
                    request.reasons().isEmpty()
                            ? List.of("no A/B test figures: the version has nothing in production to be compared with")
                            : request.reasons());
            championStats = null;
            challengerStats = null;
            errorRatePValue = Double.NaN;
            sloPValue = Double.NaN;
            srmPValue = Double.NaN;
            experimentSeconds = 0;
            return;
        }
        verdict = experiment.verdict().name();
        verdictReasons = new ArrayList<>(experiment.reasons());
        championStats = new Variant(experiment.champion());
        challengerStats = new Variant(experiment.challenger());
        errorRatePValue = experiment.errorRatePValue();
        sloPValue = experiment.sloPValue();
        srmPValue = experiment.srmPValue();
        experimentSeconds = experiment.took().toMillis() / 1000.0;
    }

    /** False for a first version (no A/B test ran). */
    public boolean isExperimentRan() {
        return championStats != null;
    }

    public String getModel() {
        return model;
    }

    public String getChampion() {
        return champion;
    }

    public String getChallenger() {
        return challenger;
    }

    public String getChampionImage() {
        return championImage;
    }

    public String getChallengerImage() {
        return challengerImage;
    }

    public boolean isSmokeRan() {
        return smokeRan;
    }

    public boolean isSmokePassed() {
        return smokePassed;
    }

    public long getSmokeRequests() {
        return smokeRequests;
    }

    public double getSmokeRate() {
        return smokeRate;
    }

    public String getSmokeErrorRate() {
        return String.format(java.util.Locale.ROOT, "%.3f%%", smokeErrorRate * 100);
    }

    /** p50, p90, p95, p99, p99.9 and max latency in milliseconds. */
    public Map<String, Double> getSmokePercentiles() {
        return smokePercentiles;
    }

    public List<String> getSmokeReasons() {
        return smokeReasons;
    }

    /** The smoke test's HTML report (percentile table and SVG plots), served by the page for its frame. */
    public String getSmokeReportHtml() {
        return smokeReportHtml == null ? "" : smokeReportHtml;
    }

    public String getVerdict() {
        return verdict;
    }

    public List<String> getVerdictReasons() {
        return verdictReasons;
    }

    public Variant getChampionStats() {
        return championStats;
    }

    public Variant getChallengerStats() {
        return challengerStats;
    }

    public double getErrorRatePValue() {
        return errorRatePValue;
    }

    public double getSloPValue() {
        return sloPValue;
    }

    public double getSrmPValue() {
        return srmPValue;
    }

    public double getExperimentSeconds() {
        return experimentSeconds;
    }
}
