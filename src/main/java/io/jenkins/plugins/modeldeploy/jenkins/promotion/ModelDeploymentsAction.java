package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import hudson.model.Action;
import hudson.model.Run;
import hudson.security.AccessControlled;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportFiles;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.RunAction2;
import jenkins.tasks.SimpleBuildStep;
import org.kohsuke.stapler.HttpResponse;
import org.kohsuke.stapler.HttpResponses;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.Stapler;
import org.kohsuke.stapler.StaplerResponse2;

/**
 * The run's model deployments ({@code …/model-promotion/}): one action per run, whatever the number of deployments
 * and promotions. It lists every deployment that ended in this run (model, version, image digest, endpoint, verdict,
 * smoke p50/p99/error rate, outcome, smoke report) and every promotion, pending or decided, each with its own page
 * ({@code model-promotion/<id>/}), evidence and Approve / Reject — so promotions in {@code parallel} branches or one
 * after the other never replace each other, and every decision stays in build.xml as the audit record. Large HTML
 * reports are files in the run's folder ({@code model-deploy/}), not part of build.xml.
 *
 * <p>Also the job's trend: {@link #getProjectActions()} gives the job a {@link ModelDeployTrendAction}.
 */
public final class ModelDeploymentsAction implements RunAction2, SimpleBuildStep.LastBuildAction {
    private static final Logger LOGGER = Logger.getLogger(ModelDeploymentsAction.class.getName());
    public static final String URL_NAME = "model-promotion";
    static final String REPORT_FOLDER = "model-deploy";

    private final CopyOnWriteArrayList<PromotionAction> promotions = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<DeploymentRecord> deployments = new CopyOnWriteArrayList<>();
    private transient Run<?, ?> run;
    /** Offline tests only: stand-ins for the run's permissions and folder. */
    private transient AccessControlled permissions;

    private transient Path folder;

    public ModelDeploymentsAction() {}

    /**
     * Without a run (the offline tests' doubles): permissions checked on {@code permissions}, reports kept in
     * {@code folder} (either may be null).
     */
    public ModelDeploymentsAction(AccessControlled permissions, Path folder) {
        this.permissions = permissions;
        this.folder = folder;
    }

    /** The run's action, added on first use (once, also when parallel branches ask at the same time). */
    public static ModelDeploymentsAction of(Run<?, ?> run) {
        synchronized (run) {
            ModelDeploymentsAction a = run.getAction(ModelDeploymentsAction.class);
            if (a == null) {
                a = new ModelDeploymentsAction();
                run.addAction(a);
                a.onAttached(run);
            }
            return a;
        }
    }

    @Override
    public String getIconFileName() {
        return "symbol-rocket-outline plugin-ionicons-api";
    }

    @Override
    public String getDisplayName() {
        return Messages.Deployments_displayName();
    }

    @Override
    public String getUrlName() {
        return URL_NAME;
    }

    @Override
    public void onAttached(Run<?, ?> r) {
        run = r;
        promotions.forEach(p -> p.setOwner(this));
    }

    @Override
    public void onLoad(Run<?, ?> r) {
        onAttached(r);
    }

    public Run<?, ?> getRun() {
        return run;
    }

    AccessControlled permissions() {
        return run != null ? run : permissions;
    }

    /** Adds a promotion under an ID of its own ({@code <model>-<version>}, numbered when repeated); returns it. */
    public synchronized String add(PromotionAction promotion) {
        String base = slug(promotion.getEvidence().getModel() + "-"
                + promotion.getEvidence().getChallenger());
        String id = base;
        for (int n = 2; find(id).isPresent(); n++) {
            id = base + "-" + n;
        }
        promotion.setOwner(this, id);
        String html = promotion.getEvidence().getSmokeReportHtml();
        if (html.isEmpty()) { // evidence made on an agent: the report is the step's latest copy, taken now (a later
            // smoke test of the same model and version in this run replaces that copy, never this promotion's)
            html = readReport(stepsReport(
                    promotion.getEvidence().getModel(), promotion.getEvidence().getChallenger()));
        }
        if (!html.isEmpty()) {
            writeReport("promotion-" + id + ".html", html);
        }
        promotions.add(promotion);
        return id;
    }

    /** A promotion stored by an older version as the run's only page. */
    void adopt(PromotionAction legacy) {
        String model =
                legacy.getEvidence().getModel() + "-" + legacy.getEvidence().getChallenger();
        legacy.setOwner(this, slug(model));
        promotions.add(legacy);
    }

    /**
     * Records a deployment that ended, summarised where it ran; its smoke report is the one the step kept with the run
     * ({@code <model>-<version>/smoke.html}, see {@code reports.SmokeReportFiles}), linked when it is there.
     */
    public DeploymentRecord record(DeploymentRecord r) {
        synchronized (this) {
            String html = r.isSmokeRan() ? readReport(stepsReport(r.getModel(), r.getVersion())) : "";
            String name = "deployment-" + (deployments.size() + 1) + "-" + slug(r.getModel() + "-" + r.getVersion())
                    + ".html";
            if (!html.isEmpty() && writeReport(name, html)) { // a copy: the step's file is replaced by a later test
                r.setReportFile(name);
            }
            deployments.add(r);
        }
        save();
        return r;
    }

    /** Records a deployment that ended (promoted, rolled back, failed), with its smoke report as a file. */
    public DeploymentRecord record(DeployOutcome outcome, Map<String, ?> summary, String smokeReportHtml) {
        DeploymentRecord r = new DeploymentRecord(outcome, summary, System.currentTimeMillis());
        synchronized (this) {
            if (smokeReportHtml != null && !smokeReportHtml.isEmpty()) {
                String name = "deployment-" + (deployments.size() + 1) + "-"
                        + slug(outcome.model() + "-" + outcome.version()) + ".html";
                if (writeReport(name, smokeReportHtml)) {
                    r.setReportFile(name);
                }
            }
            deployments.add(r);
        }
        save();
        return r;
    }

    public List<PromotionAction> getPromotions() {
        return List.copyOf(promotions);
    }

    public List<PromotionAction> getPendingPromotions() {
        return promotions.stream().filter(PromotionAction::isOpen).toList();
    }

    public List<DeploymentRecord> getDeployments() {
        return List.copyOf(deployments);
    }

    /** {@code model-promotion/<id>/}: the promotion with that ID. */
    public PromotionAction getDynamic(String token) {
        return find(token).orElse(null);
    }

    public Optional<PromotionAction> find(String id) {
        return promotions.stream().filter(p -> id.equals(p.getId())).findFirst();
    }

    /** The promotion a waiting step is registered under. */
    public Optional<PromotionAction> byKey(String key) {
        return promotions.stream().filter(p -> key.equals(p.getKey())).findFirst();
    }

    /** {@code model-promotion/deploymentReport?n=1}: the smoke report of the run's n-th deployment. */
    public HttpResponse doDeploymentReport(@QueryParameter int n) {
        List<DeploymentRecord> all = getDeployments();
        if (n < 1 || n > all.size() || all.get(n - 1).getReportFile() == null) {
            return HttpResponses.errorWithoutStack(404, "no such report");
        }
        return sandboxed(readReport(all.get(n - 1).getReportFile()));
    }

    /**
     * A stored report as a response: HTML served from the Jenkins origin, so it gets {@code Content-Security-Policy:
     * sandbox} (no script, no same-origin access) also when opened directly, not only inside the page's sandboxed
     * frame.
     */
    static HttpResponse sandboxed(String html) {
        StaplerResponse2 response = Stapler.getCurrentResponse2();
        if (response != null) {
            response.setHeader("Content-Security-Policy", "sandbox");
            response.setHeader("X-Content-Type-Options", "nosniff");
        }
        return HttpResponses.html(html);
    }

    /** The smoke report shown on a promotion's page. */
    String report(PromotionAction promotion) {
        String stored = readReport("promotion-" + promotion.getId() + ".html");
        return stored.isEmpty() ? promotion.getEvidence().getSmokeReportHtml() : stored;
    }

    /** Where the step keeps the latest smoke report of a version (see {@code reports.SmokeReportFiles}). */
    private static String stepsReport(String model, String version) {
        return model + "-" + version + "/" + SmokeReportFiles.HTML;
    }

    @Override
    public Collection<? extends Action> getProjectActions() {
        return run == null ? List.of() : List.of(new ModelDeployTrendAction(run));
    }

    private Path folder() {
        if (run != null) {
            return new File(run.getRootDir(), REPORT_FOLDER).toPath();
        }
        return folder;
    }

    private boolean writeReport(String name, String html) {
        Path dir = folder();
        if (dir == null) {
            return false;
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name), html, StandardCharsets.UTF_8);
            return true;
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "could not store the report " + name, e);
            return false;
        }
    }

    private String readReport(String name) {
        Path dir = folder();
        if (dir == null || !Files.isRegularFile(dir.resolve(name))) {
            return "";
        }
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private void save() {
        if (run == null) {
            return;
        }
        try {
            run.save();
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "could not save the deployment summary", e);
        }
    }

    static String slug(String text) {
        String s =
                text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[-.]+", "");
        return s.isEmpty() ? "promotion" : s;
    }
}
