package io.jenkins.plugins.modeldeploy.jenkins;

import static org.junit.Assert.assertEquals;

import hudson.model.Result;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.Approver;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ModelDeploymentsAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsSessionRule;

/**
 * promoteModel waits for approval across a controller restart, without an executor, and completes afterwards — on
 * the real engine and lifecycle over an in-process cluster ({@link MockClusterEngineFactory}), which keeps running while
 * Jenkins restarts.
 */
public class RestartWhileWaitingTest {
    @Rule
    public JenkinsSessionRule sessions = new JenkinsSessionRule();

    @Rule
    public TemporaryFolder models = new TemporaryFolder();

    @BeforeClass
    public static void localEngine() {
        System.setProperty(EngineFactory.PROPERTY, MockClusterEngineFactory.class.getName());
    }

    @AfterClass
    public static void installedEngine() {
        System.clearProperty(EngineFactory.PROPERTY);
    }

    @Test
    public void approvalGivenAfterARestartPromotes() throws Throwable {
        // version 1 serves iris, version 7 won its A/B test and waits for a decision (in the cluster's state)
        MockClusterEngineFactory.reset(); // an empty cluster: other test classes of this JVM deployed iris too
        MockClusterEngineFactory.awaitingApproval(models.getRoot().toPath(), "iris", "1", "7");
        sessions.then(r -> {
            ClusterConfig local = new ClusterConfig("local");
            local.setInCluster(true);
            ModelDeployConfiguration.get().setClusters(List.of(local));
            WorkflowJob p = r.createProject(WorkflowJob.class, "p");
            p.setDefinition(new CpsFlowDefinition(
                    "def r = promoteModel model: 'iris', version: '7',"
                            + " approval: [approvers: 'alice', timeout: '1h']\necho \"promoted ${r.promotedVersion}\"",
                    true));
            WorkflowRun b = p.scheduleBuild2(0).waitForStart();
            r.waitForMessage("Waiting for approval to promote iris version 7", b);
            assertEquals(0, r.jenkins.toComputer().countBusy()); // no executor held while waiting
        });
        sessions.then(r -> {
            WorkflowRun b = r.jenkins.getItemByFullName("p", WorkflowJob.class).getBuildByNumber(1);
            r.waitForMessage("Resumed after a restart; still waiting for approval to promote iris version 7", b);
            // armed before the recorded decision is read: deciding right after the "Resumed" line cannot be lost
            PromotionAction page = b.getAction(ModelDeploymentsAction.class).getDynamic("iris-7");
            assertEquals(
                    PromotionAction.Outcome.RECORDED,
                    page.decide(new Approver("alice", List.of(), true), true, "after restart", Instant.now()));
            r.assertBuildStatus(Result.SUCCESS, r.waitForCompletion(b));
            r.assertLogContains("promoted 7", b);
            ReleaseState state =
                    MockClusterEngineFactory.cluster().releases().load("iris").orElseThrow();
            assertEquals(ReleaseState.Phase.STABLE, state.phase());
            assertEquals(Optional.of("7"), state.production());
        });
    }
}
