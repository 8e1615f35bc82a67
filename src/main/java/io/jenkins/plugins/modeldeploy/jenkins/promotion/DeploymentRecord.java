package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.smoke.LoadResult;
import java.io.Serializable;
import java.util.Locale;
import java.util.Map;

/**
 * One deployment of the run as its summary shows it (with or without approval): model, version, image by digest,
 * endpoint, verdict, the smoke test's p50/p99/error rate, how it ended, who approved. Plain fields, stored in
 * build.xml; the smoke report itself is a file next to it (see {@link ModelDeploymentsAction}).
 */
public final class DeploymentRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String model;
    private final String version;
    private final String image;
    private final String endpoint;
    private final String verdict;
    private final String outcome;
    private final boolean succeeded;
    private final String reason;
    private final String production;
    private final String approvedBy;
    private final boolean smokeRan;
    private final double smokeP50Ms;
    private final double smokeP99Ms;
    private final double smokeErrorRate;
    private final long recordedAtMillis;
    /** The smoke report's file name under the run's {@code model-deploy/} folder; null when no smoke test ran. */
    private String reportFile;

    /**
     * @param summary the step's value: where the outcome of a decision no longer carries the first half's image,
     *                endpoint and smoke figures, they are taken from here
     */
    public DeploymentRecord(DeployOutcome o, Map<String, ?> summary, long recordedAtMillis) {
        model = o.model();
        version = o.version();
        image = o.image()
                .map(BuiltImage::pinned)
                .or(() -> o.deployed().flatMap(d -> d.image()))
                .orElse(text(summary.get("image")));
        endpoint = o.deployed().map(d -> d.endpoint().toString()).orElse(text(summary.get("endpoint")));
        verdict = o.verdict().map(Enum::name).orElse("");
        outcome = o.outcome().map(Enum::name).orElse("");
        succeeded = o.succeeded();
        reason = o.reason();
        production = o.production().orElse("");
        approvedBy = o.approval()
                .map(a -> (a.approved() ? "approved by " : "rejected by ") + a.approver())
                .orElse("");
        LoadResult load = o.smoke().map(s -> s.load()).orElse(null);
        Map<?, ?> smoke = summary.get("smoke") instanceof Map<?, ?> m ? m : Map.of();
        smokeRan = load != null || !smoke.isEmpty();
        smokeP50Ms = load != null ? load.latencyMs(50) : number(smoke.get("p50Ms"));
        smokeP99Ms = load != null ? load.latencyMs(99) : number(smoke.get("p99Ms"));
        smokeErrorRate = load != null ? load.errorRate() : number(smoke.get("errorRate"));
        this.recordedAtMillis = recordedAtMillis;
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    void setReportFile(String name) {
        reportFile = name;
    }

    public String getReportFile() {
        return reportFile;
    }

    public String getModel() {
        return model;
    }

    public String getVersion() {
        return version;
    }

    public String getImage() {
        return image;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public String getVerdict() {
        return verdict;
    }

    public String getOutcome() {
        return outcome;
    }

    public boolean isSucceeded() {
        return succeeded;
    }

    public String getReason() {
        return reason;
    }

    public String getProduction() {
        return production;
    }

    public String getApprovedBy() {
        return approvedBy;
    }

    public boolean isSmokeRan() {
        return smokeRan;
    }

    public double getSmokeP50Ms() {
        return smokeP50Ms;
    }

    public double getSmokeP99Ms() {
        return smokeP99Ms;
    }

    public double getSmokeErrorRate() {
        return smokeErrorRate;
    }

    /** For the tables: "12.3 ms", or "—" when no smoke test ran. */
    public String getSmokeP50() {
        return ms(smokeP50Ms);
    }

    public String getSmokeP99() {
        return ms(smokeP99Ms);
    }

    public String getSmokeErrors() {
        return smokeRan ? String.format(Locale.ROOT, "%.3f%%", smokeErrorRate * 100) : "\u2014";
    }

    public long getRecordedAtMillis() {
        return recordedAtMillis;
    }

    private String ms(double v) {
        return smokeRan ? String.format(Locale.ROOT, "%.1f ms", v) : "\u2014";
    }
}
