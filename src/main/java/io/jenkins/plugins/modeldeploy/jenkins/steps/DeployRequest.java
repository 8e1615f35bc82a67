package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.jenkins.engine.ImageOptions;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import java.io.Serializable;

/** Everything {@code deployModel} (or the freestyle build step) was asked to do; serializable, no secrets. */
public final class DeployRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String modelDir;
    public final String version;
    public final ImageOptions image;
    public final TargetOptions target;
    public final SmokeOptions smoke;
    public final AbTestOptions abTest;
    public final ApprovalOptions approval;
    public final String rolloutTimeout;
    /** How long the version a promotion replaces keeps running for a rollback; null: one hour. */
    public final String keepPrevious;
    /** Run the built image and send it the model's samples before it is pushed or rolled out. */
    public final boolean verify;

    public DeployRequest(
            String modelDir,
            String version,
            ImageOptions image,
            TargetOptions target,
            SmokeOptions smoke,
            AbTestOptions abTest,
            ApprovalOptions approval,
            String rolloutTimeout,
            String keepPrevious,
            boolean verify) {
        this.modelDir = modelDir;
        this.version = version;
        this.image = image;
        this.target = target;
        this.smoke = smoke == null ? new SmokeOptions() : smoke;
        this.abTest = abTest == null ? new AbTestOptions() : abTest;
        this.approval = approval;
        this.rolloutTimeout = rolloutTimeout;
        this.keepPrevious = keepPrevious;
        this.verify = verify;
    }

    /** How long a person may take: the approval block's timeout, else the global default. */
    public java.time.Duration approvalTimeout(String globalDefault) {
        return approval == null
                ? io.jenkins.plugins.modeldeploy.jenkins.config.Durations.parsePositive(
                        globalDefault, "approvalTimeout")
                : approval.timeout(globalDefault);
    }

    /** Approval is required unless the request says {@code approval: [required: false]} or has no approval block. */
    public boolean approvalRequired() {
        return approval != null && approval.isRequired();
    }
}
