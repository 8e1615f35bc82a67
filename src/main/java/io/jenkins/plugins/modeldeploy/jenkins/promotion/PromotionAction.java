package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import hudson.model.ModelObject;
import hudson.model.Run;
import hudson.security.AccessControlled;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.kohsuke.stapler.HttpResponse;
import org.kohsuke.stapler.HttpResponses;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.interceptor.RequirePOST;

/**
 * One promotion of a run ({@code …/model-promotion/<id>/}), listed by the run's {@link ModelDeploymentsAction}: the
 * evidence, and Approve / Reject for a person with {@link PromotionPermissions#PROMOTE} (and, when the step names
 * approvers, one of them, compared as the security realm compares IDs). The decision, who gave it and when are
 * recorded here and saved with the run, and stay there as the audit record; a waiting {@code deployModel}/{@code
 * promoteModel} step gets it through {@link ApprovalRegistry}, a finished freestyle build through its {@link
 * AfterDecision}.
 */
public final class PromotionAction implements ModelObject {
    private static final Logger LOGGER = Logger.getLogger(PromotionAction.class.getName());
    private static final ExecutorService FOLLOW_UPS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "model-deploy promotion");
        t.setDaemon(true);
        return t;
    });

    public enum Status {
        PENDING,
        APPROVED,
        REJECTED,
        TIMED_OUT,
        ABORTED
    }

    /** What became of an Approve/Reject request. */
    public enum Outcome {
        RECORDED,
        NOT_PERMITTED,
        NOT_LISTED,
        ALREADY_DECIDED,
        EXPIRED
    }

    /** Its URL segment under {@code model-promotion/}, unique in the run; null in pages stored before it existed. */
    private String id;

    private final String key;
    private final PromotionEvidence evidence;
    private final ArrayList<String> approvers;
    private final long deadlineMillis;
    private final AfterDecision afterDecision;
    private Status status = Status.PENDING;
    private String decidedBy;
    private long decidedAtMillis;
    private String comment;
    private final ArrayList<String> outcomeLines = new ArrayList<>();
    private transient ModelDeploymentsAction owner;

    /**
     * @param key           identifies the waiting step across restarts (run ID and step)
     * @param approvers     user IDs or group names allowed to decide; empty: anyone with the permission
     * @param afterDecision for freestyle builds; null when a Pipeline step waits
     */
    public PromotionAction(
            String key,
            PromotionEvidence evidence,
            List<String> approvers,
            Instant deadline,
            AfterDecision afterDecision) {
        this.key = key;
        this.evidence = evidence;
        this.approvers = new ArrayList<>(approvers);
        this.deadlineMillis = deadline.toEpochMilli();
        this.afterDecision = afterDecision;
    }

    @Override
    public String getDisplayName() {
        return Messages.Promotion_displayName() + " " + evidence.getModel() + " " + evidence.getChallenger();
    }

    /** This promotion's ID in the run (its URL segment). */
    public String getId() {
        return id;
    }

    void setOwner(ModelDeploymentsAction owner, String id) {
        this.owner = owner;
        if (this.id == null) {
            this.id = id;
        }
    }

    void setOwner(ModelDeploymentsAction owner) {
        this.owner = owner;
    }

    /** Relative to the run's URL: {@code model-promotion/<id>/}. */
    public String getUrl() {
        return ModelDeploymentsAction.URL_NAME + "/" + id + "/";
    }

    public ModelDeploymentsAction getOwner() {
        return owner;
    }

    public Run<?, ?> getRun() {
        return owner == null ? null : owner.getRun();
    }

    /**
     * A page stored by a version that attached one {@code PromotionAction} per run (as a run action of its own, with
     * no ID): read back as the run's {@link ModelDeploymentsAction} holding it.
     */
    protected Object readResolve() {
        if (id != null) {
            return this;
        }
        ModelDeploymentsAction all = new ModelDeploymentsAction();
        all.adopt(this);
        return all;
    }

    public String getKey() {
        return key;
    }

    public PromotionEvidence getEvidence() {
        return evidence;
    }

    public List<String> getApprovers() {
        return List.copyOf(approvers);
    }

    public synchronized Status getStatus() {
        return status;
    }

    public synchronized String getDecidedBy() {
        return decidedBy;
    }

    public synchronized Instant getDecidedAt() {
        return decidedBy == null ? null : Instant.ofEpochMilli(decidedAtMillis);
    }

    public synchronized String getComment() {
        return comment;
    }

    public Instant getDeadline() {
        return Instant.ofEpochMilli(deadlineMillis);
    }

    public synchronized List<String> getOutcomeLines() {
        return List.copyOf(outcomeLines);
    }

    /** True while the page should offer Approve and Reject. */
    public synchronized boolean isOpen() {
        return status == Status.PENDING && System.currentTimeMillis() < deadlineMillis;
    }

    /** The recorded decision, if one was given (what a step resumed after a restart picks up). */
    public synchronized Approval getApproval() {
        if (status != Status.APPROVED && status != Status.REJECTED) {
            return null;
        }
        return new Approval(
                status == Status.APPROVED,
                decidedBy,
                Instant.ofEpochMilli(decidedAtMillis),
                comment == null ? "" : comment);
    }

    @RequirePOST
    public HttpResponse doApprove(@QueryParameter String comment) throws IOException {
        return respond(decideAsCurrentUser(true, comment, Instant.now()));
    }

    @RequirePOST
    public HttpResponse doReject(@QueryParameter String comment) throws IOException {
        return respond(decideAsCurrentUser(false, comment, Instant.now()));
    }

    /**
     * The decision of whoever sends the current request: without the permission, {@code checkPermission} sends an
     * anonymous user to the login page (and others get Jenkins' 403 page); otherwise {@link #decide}.
     */
    public Outcome decideAsCurrentUser(boolean approve, String text, Instant now) {
        AccessControlled job = owner == null ? null : owner.permissions();
        Approver who = Approver.current(job);
        if (!who.hasPromotePermission() && job != null) {
            job.checkPermission(PromotionPermissions.PROMOTE);
        }
        return decide(who, approve, text, now);
    }

    /** The smoke report (with its plots) for the page's frame; kept in a file next to build.xml. */
    public HttpResponse doReport() {
        return ModelDeploymentsAction.sandboxed(owner == null ? evidence.getSmokeReportHtml() : owner.report(this));
    }

    /**
     * Records a decision if {@code who} may give it now. The checks, in order: still open, within the window, the
     * permission, the approver list ({@link Approver#isListedIn}: user ID or one of the user's groups, as the
     * security realm compares them; administrators always).
     */
    public Outcome decide(Approver who, boolean approve, String text, Instant now) {
        synchronized (this) {
            if (status != Status.PENDING) {
                return Outcome.ALREADY_DECIDED;
            }
            if (now.toEpochMilli() >= deadlineMillis) {
                return Outcome.EXPIRED;
            }
            if (!who.hasPromotePermission()) {
                return Outcome.NOT_PERMITTED;
            }
            if (!who.isListedIn(approvers)) {
                return Outcome.NOT_LISTED;
            }
            status = approve ? Status.APPROVED : Status.REJECTED;
            decidedBy = who.id();
            decidedAtMillis = now.toEpochMilli();
            comment = text == null ? "" : text.trim();
        }
        Approval approval = getApproval();
        persist();
        if (!ApprovalRegistry.deliver(key, approval) && afterDecision != null) {
            Run<?, ?> r = getRun();
            FOLLOW_UPS.submit(() -> {
                try {
                    afterDecision.decided(r, this, approval);
                } catch (Exception e) {
                    LOGGER.log(Level.WARNING, "promotion follow-up of " + key + " failed", e);
                    addOutcome("failed: " + e.getMessage());
                }
            });
        }
        return Outcome.RECORDED;
    }

    /**
     * Closes the page without a decision (the step timed out or was stopped); false when it was decided (or closed)
     * first.
     */
    public boolean close(Status reason) {
        synchronized (this) {
            if (status != Status.PENDING) {
                return false;
            }
            status = reason;
        }
        persist();
        return true;
    }

    /** Adds a line to what the page reports happened after the decision (promoted, rolled back, failed). */
    public void addOutcome(String line) {
        synchronized (this) {
            outcomeLines.add(line);
        }
        persist();
    }

    /** The message for an outcome other than {@link Outcome#RECORDED}. */
    public synchronized String message(Outcome outcome) {
        return switch (outcome) {
            case RECORDED -> "";
            case NOT_PERMITTED -> Messages.Approval_notPermitted();
            case NOT_LISTED -> Messages.Approval_notListed(String.join(", ", approvers));
            case ALREADY_DECIDED ->
                Messages.Approval_alreadyDecided(
                        status.name().toLowerCase(java.util.Locale.ROOT),
                        decidedBy == null ? "nobody" : decidedBy,
                        getDecidedAt());
            case EXPIRED -> Messages.Approval_expired(getDeadline());
        };
    }

    private HttpResponse respond(Outcome outcome) {
        if (outcome == Outcome.RECORDED) {
            return HttpResponses.redirectToDot();
        }
        int code = outcome == Outcome.NOT_PERMITTED || outcome == Outcome.NOT_LISTED ? 403 : 409;
        return HttpResponses.errorWithoutStack(code, message(outcome));
    }

    private void persist() {
        Run<?, ?> r = getRun();
        if (r == null) {
            return;
        }
        try {
            r.save();
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "could not save the promotion decision on " + key, e);
        }
    }
}
