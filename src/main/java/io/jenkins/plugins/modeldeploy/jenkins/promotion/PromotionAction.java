package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import hudson.model.Run;
import hudson.model.User;
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
import jenkins.model.RunAction2;
import org.kohsuke.stapler.HttpResponse;
import org.kohsuke.stapler.HttpResponses;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.interceptor.RequirePOST;

/**
 * The promotion page of a run ({@code …/model-promotion/}): the evidence, and Approve / Reject for a person with
 * {@link PromotionPermissions#PROMOTE} (and, when the step names approvers, one of them). The decision, who gave it
 * and when are recorded here and saved with the run; a waiting {@code deployModel}/{@code promoteModel} step gets it
 * through {@link ApprovalRegistry}, a finished freestyle build through its {@link AfterDecision}.
 */
public final class PromotionAction implements RunAction2 {
    private static final Logger LOGGER = Logger.getLogger(PromotionAction.class.getName());
    private static final ExecutorService FOLLOW_UPS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "model-deploy promotion");
        t.setDaemon(true);
        return t;
    });

    public enum Status { PENDING, APPROVED, REJECTED, TIMED_OUT, ABORTED }

    /** What became of an Approve/Reject request. */
    public enum Outcome { RECORDED, NOT_PERMITTED, NOT_LISTED, ALREADY_DECIDED, EXPIRED }

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
    private transient Run<?, ?> run;

    /**
     * @param key           identifies the waiting step across restarts (run ID and step)
     * @param approvers     user IDs or group names allowed to decide; empty: anyone with the permission
     * @param afterDecision for freestyle builds; null when a Pipeline step waits
     */
    public PromotionAction(String key, PromotionEvidence evidence, List<String> approvers, Instant deadline,
            AfterDecision afterDecision) {
        this.key = key;
        this.evidence = evidence;
        this.approvers = new ArrayList<>(approvers);
        this.deadlineMillis = deadline.toEpochMilli();
        this.afterDecision = afterDecision;
    }

    @Override
    public String getIconFileName() {
        return "symbol-rocket-outline plugin-ionicons-api";
    }

    @Override
    public String getDisplayName() {
        return Messages.Promotion_displayName();
    }

    @Override
    public String getUrlName() {
        return "model-promotion";
    }

    @Override
    public void onAttached(Run<?, ?> r) {
        run = r;
    }

    @Override
    public void onLoad(Run<?, ?> r) {
        run = r;
    }

    public Run<?, ?> getRun() {
        return run;
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
        return new Approval(status == Status.APPROVED, decidedBy, Instant.ofEpochMilli(decidedAtMillis),
                comment == null ? "" : comment);
    }

    @RequirePOST
    public HttpResponse doApprove(@QueryParameter String comment) throws IOException {
        return respond(decide(currentApprover(), true, comment, Instant.now()));
    }

    @RequirePOST
    public HttpResponse doReject(@QueryParameter String comment) throws IOException {
        return respond(decide(currentApprover(), false, comment, Instant.now()));
    }

    /** The smoke report (with its plots) for the page's frame. */
    public HttpResponse doReport() {
        return HttpResponses.html(evidence.getSmokeReportHtml());
    }

    /**
     * Records a decision if {@code who} may give it now. The checks, in order: still open, within the window, the
     * permission, the approver list (user ID or one of the user's groups).
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
            if (!approvers.isEmpty() && !approvers.contains(who.id())
                    && who.groups().stream().noneMatch(approvers::contains)) {
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
            Run<?, ?> owner = run;
            FOLLOW_UPS.submit(() -> {
                try {
                    afterDecision.decided(owner, this, approval);
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
            case ALREADY_DECIDED -> Messages.Approval_alreadyDecided(status.name().toLowerCase(
                    java.util.Locale.ROOT), decidedBy == null ? "nobody" : decidedBy, getDecidedAt());
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

    private Approver currentApprover() {
        User user = User.current();
        return new Approver(user == null ? "anonymous" : user.getId(),
                user == null ? List.of() : user.getAuthorities(),
                run != null && run.hasPermission(PromotionPermissions.PROMOTE));
    }

    private void persist() {
        Run<?, ?> owner = run;
        if (owner == null) {
            return;
        }
        try {
            owner.save();
        } catch (IOException e) {
            LOGGER.log(Level.WARNING, "could not save the promotion decision on " + key, e);
        }
    }
}
