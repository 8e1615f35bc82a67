package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import hudson.model.Action;
import hudson.model.Job;
import hudson.model.Run;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import java.util.ArrayList;
import java.util.List;

/**
 * The job's deployment trend ({@code …/job/x/model-deploy-trend/}): for the most recent builds, each deployment's
 * model, version, smoke p99 and error rate and how it ended — a plain table, newest first. Given to the job by the
 * last build's {@link ModelDeploymentsAction} (core's {@code SimpleBuildStep.LastBuildAction}).
 */
public final class ModelDeployTrendAction implements Action {
    static final int BUILDS = 20;
    private final Run<?, ?> lastBuild;

    /** @param lastBuild the job's build whose action gave this one; the table starts there */
    public ModelDeployTrendAction(Run<?, ?> lastBuild) {
        this.lastBuild = lastBuild;
    }

    @Override
    public String getIconFileName() {
        return "symbol-trending-up-outline plugin-ionicons-api";
    }

    @Override
    public String getDisplayName() {
        return Messages.Deployments_trend();
    }

    @Override
    public String getUrlName() {
        return "model-deploy-trend";
    }

    public Job<?, ?> getJob() {
        return lastBuild.getParent();
    }

    /** The rows of the table: the last {@value #BUILDS} builds' deployments, newest first. */
    public List<Row> getRows() {
        List<Build> builds = new ArrayList<>();
        for (Run<?, ?> r = lastBuild; r != null && builds.size() < BUILDS; r = r.getPreviousBuild()) {
            ModelDeploymentsAction a = r.getAction(ModelDeploymentsAction.class);
            if (a != null) {
                builds.add(new Build(r.getNumber(), a.getDeployments()));
            }
        }
        return rows(builds);
    }

    /** One build's deployments. */
    record Build(int number, List<DeploymentRecord> deployments) {}

    /** One row: a deployment of build {@code build}. */
    public record Row(int build, DeploymentRecord deployment) {
        public int getBuild() {
            return build;
        }

        public DeploymentRecord getDeployment() {
            return deployment;
        }
    }

    static List<Row> rows(List<Build> newestFirst) {
        List<Row> rows = new ArrayList<>();
        for (Build b : newestFirst) {
            for (DeploymentRecord d : b.deployments()) {
                rows.add(new Row(b.number(), d));
            }
        }
        return rows;
    }
}
