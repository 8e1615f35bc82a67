package io.jenkins.plugins.modeldeploy.jenkins;

import static org.junit.Assert.assertEquals;

import hudson.model.Item;
import hudson.model.Result;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ModelDeploymentsAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionPermissions;
import java.util.List;
import jenkins.model.Jenkins;
import org.htmlunit.HttpMethod;
import org.htmlunit.WebRequest;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;

/**
 * deployModel and promoteModel in a real Pipeline, approved over HTTP by users who are not administrators: a member of an approver
 * group (groups from the security realm, checked on the request's own authentication), a user ID in another case,
 * and two promotions waiting in parallel branches of one run, each on its own page. The engine and lifecycle are
 * the real ones over an mock cluster ({@link MockClusterEngineFactory}).
 */
public class PromotionPipelineTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    @Rule
    public TemporaryFolder models = new TemporaryFolder();

    @BeforeClass
    public static void localEngine() {
        System.setProperty(EngineFactory.PROPERTY, MockClusterEngineFactory.class.getName());
    }

    @Before
    public void emptyClusters() {
        MockClusterEngineFactory.reset();
    }

    @AfterClass
    public static void installedEngine() {
        System.clearProperty(EngineFactory.PROPERTY);
    }

    private WorkflowJob job(String script) throws Exception {
        JenkinsRule.DummySecurityRealm realm = r.createDummySecurityRealm();
        realm.addGroups("bob", "ml-leads");
        r.jenkins.setSecurityRealm(realm);
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy()
                .grant(Jenkins.READ, Item.READ)
                .everywhere()
                .to("bob", "carol", "ML-Lead-Dan")
                .grant(PromotionPermissions.PROMOTE)
                .everywhere()
                .to("bob", "carol", "ML-Lead-Dan"));
        ClusterConfig local = new ClusterConfig("local");
        local.setInCluster(true);
        ModelDeployConfiguration.get().setClusters(List.of(local));
        WorkflowJob p = r.createProject(WorkflowJob.class, "p");
        p.setDefinition(new CpsFlowDefinition(script, true));
        return p;
    }

    private int post(String user, String path) throws Exception {
        JenkinsRule.WebClient wc = r.createWebClient().login(user);
        wc.setThrowExceptionOnFailingStatusCode(false);
        wc.setRedirectEnabled(false);
        return wc.getPage(new WebRequest(wc.createCrumbedUrl(path), HttpMethod.POST))
                .getWebResponse()
                .getStatusCode();
    }

    @Test
    public void aMemberOfAnApproverGroupWhoIsNotAnAdministratorApproves() throws Exception {
        MockClusterEngineFactory.awaitingApproval(models.getRoot().toPath(), "iris", "1", "7");
        WorkflowJob p = job("def r = promoteModel model: 'iris', version: '7',"
                + " approval: [approvers: 'ml-leads', timeout: '1h']\necho \"promoted ${r.promotedVersion}\"");
        WorkflowRun b = p.scheduleBuild2(0).waitForStart();
        r.waitForMessage("Waiting for approval to promote iris version 7", b);

        assertEquals(403, post("carol", "job/p/1/model-promotion/iris-7/approve")); // may promote, not in the group
        assertEquals(302, post("bob", "job/p/1/model-promotion/iris-7/approve"));

        r.assertBuildStatus(Result.SUCCESS, r.waitForCompletion(b));
        r.assertLogContains("promoted 7", b);
        PromotionAction page = b.getAction(ModelDeploymentsAction.class).getDynamic("iris-7");
        assertEquals(PromotionAction.Status.APPROVED, page.getStatus());
        assertEquals("bob", page.getDecidedBy());
    }

    @Test
    public void userIdsAreComparedAsTheSecurityRealmDoesCaseInsensitively() throws Exception {
        MockClusterEngineFactory.awaitingApproval(models.getRoot().toPath(), "iris", "1", "7");
        WorkflowJob p = job(
                "promoteModel model: 'iris', version: '7'," + " approval: [approvers: 'ml-lead-dan', timeout: '1h']");
        WorkflowRun b = p.scheduleBuild2(0).waitForStart();
        r.waitForMessage("Waiting for approval to promote iris version 7", b);
        assertEquals(302, post("ML-Lead-Dan", "job/p/1/model-promotion/iris-7/reject"));
        r.waitForCompletion(b); // the rejection fails the step
        r.assertLogContains("rejected by ML-Lead-Dan", b);
        assertEquals(
                PromotionAction.Status.REJECTED,
                b.getAction(ModelDeploymentsAction.class).getDynamic("iris-7").getStatus());
    }

    @Test
    public void twoPromotionsInParallelBranchesOfOneRunHaveTheirOwnPages() throws Exception {
        MockClusterEngineFactory.awaitingApproval(models.getRoot().toPath(), "iris", "1", "7");
        MockClusterEngineFactory.awaitingApproval(models.getRoot().toPath(), "wine", "1", "3");
        WorkflowJob p = job("parallel iris: {\n"
                + "  promoteModel model: 'iris', version: '7', approval: [approvers: 'ml-leads']\n"
                + "}, wine: {\n"
                + "  promoteModel model: 'wine', version: '3', namespace: 'wine', approval: [approvers: 'ml-leads']\n"
                + "}");
        WorkflowRun b = p.scheduleBuild2(0).waitForStart();
        r.waitForMessage("Waiting for approval to promote iris version 7", b);
        r.waitForMessage("Waiting for approval to promote wine version 3", b);

        assertEquals(302, post("bob", "job/p/1/model-promotion/wine-3/approve"));
        assertEquals(302, post("bob", "job/p/1/model-promotion/iris-7/approve"));

        r.assertBuildStatus(Result.SUCCESS, r.waitForCompletion(b));
        ModelDeploymentsAction all = b.getAction(ModelDeploymentsAction.class);
        assertEquals(2, all.getPromotions().size());
        for (PromotionAction page : all.getPromotions()) {
            assertEquals(PromotionAction.Status.APPROVED, page.getStatus());
            assertEquals("bob", page.getDecidedBy());
        }
        assertEquals(2, all.getDeployments().size()); // the run's summary lists both
    }

    @Test
    public void deployModelWaitsOnItsPageAndAMemberOfTheApproverGroupApproves() throws Exception {
        MockClusterEngineFactory.production(models.getRoot().toPath(), "iris", "1"); // production fails half its calls
        WorkflowJob p = job("node {\n"
                + "  writeFile file: 'iris/model.yaml', text: '"
                + MockClusterEngineFactory.MODEL_YAML.replace("NAME", "iris").replace("\n", "\\n") + "'\n"
                + "  writeFile file: 'iris/model.py', text: '"
                + MockClusterEngineFactory.MODEL_PY.replace("\n", "\\n") + "'\n"
                + "  writeFile file: 'iris/samples/one.json', text: '{\"instances\": [[1, 2]]}'\n"
                + "  def r = deployModel modelDir: 'iris', version: '8', cluster: 'local', verify: false,"
                + " smoke: [duration: '2s', warmup: '0s'],"
                + " abTest: [challengerWeight: 50, minDuration: '1s', maxDuration: '30s', minSamples: 20],"
                + " approval: [approvers: 'ml-leads', timeout: '1h']\n"
                + "  echo \"promoted ${r.promotedVersion}\"\n"
                + "}");
        RegistryConfig images = new RegistryConfig("127.0.0.1:5000/models"); // never contacted: images go to tar files
        ModelDeployConfiguration.get().setRegistries(List.of(images));
        ModelDeployConfiguration.get().setBasePythonImage("scratch");
        WorkflowRun b = p.scheduleBuild2(0).waitForStart();
        r.waitForMessage("Waiting for approval to promote iris version 8", b);

        assertEquals(403, post("carol", "job/p/1/model-promotion/iris-8/approve")); // may promote, not in the group
        assertEquals(302, post("bob", "job/p/1/model-promotion/iris-8/approve"));

        r.assertBuildStatus(Result.SUCCESS, r.waitForCompletion(b));
        r.assertLogContains("promoted 8", b);
        PromotionAction page = b.getAction(ModelDeploymentsAction.class).getDynamic("iris-8");
        assertEquals(PromotionAction.Status.APPROVED, page.getStatus());
        assertEquals("bob", page.getDecidedBy());
    }
}
