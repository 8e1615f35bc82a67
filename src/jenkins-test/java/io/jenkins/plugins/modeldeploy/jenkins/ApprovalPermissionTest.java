package io.jenkins.plugins.modeldeploy.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Item;
import hudson.security.Permission;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ModelDeploymentsAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionPermissions;
import io.jenkins.plugins.modeldeploy.pipeline.PromotionRequest;
import java.net.URL;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import jenkins.model.Jenkins;
import org.htmlunit.HttpMethod;
import org.htmlunit.Page;
import org.htmlunit.WebRequest;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;

/**
 * Approve and Reject over HTTP on a promotion's own page ({@code model-promotion/<id>/}): POST only, ModelDeploy/Promote
 * (NOT implied by Job/Build), the approver list; and the permission registered at start-up.
 */
public class ApprovalPermissionTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    private FreeStyleBuild buildWithPromotionPage(List<String> approvers) throws Exception {
        r.jenkins.setSecurityRealm(r.createDummySecurityRealm());
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy()
                .grant(Jenkins.READ, Item.READ)
                .everywhere()
                .to("alice", "bob", "carol")
                .grant(PromotionPermissions.PROMOTE)
                .everywhere()
                .to("alice")
                .grant(Item.BUILD)
                .everywhere()
                .to("carol"));
        FreeStyleProject p = r.createFreeStyleProject("p");
        FreeStyleBuild b = r.buildAndAssertSuccess(p);
        PromotionEvidence evidence = new PromotionEvidence(new PromotionRequest(
                "iris",
                "",
                "1",
                Optional.empty(),
                Optional.of("r/iris@sha256:" + "1".repeat(64)),
                Optional.empty(),
                Optional.empty(),
                Verdict.PROMOTE,
                List.of()));
        ModelDeploymentsAction.of(b)
                .add(new PromotionAction(
                        "p#1/test", evidence, approvers, Instant.now().plusSeconds(3600), null));
        b.save();
        return b;
    }

    private PromotionAction page(FreeStyleBuild b) {
        return b.getAction(ModelDeploymentsAction.class).getDynamic("iris-1");
    }

    private int post(String user, String verb) throws Exception {
        JenkinsRule.WebClient wc = r.createWebClient().login(user);
        wc.setThrowExceptionOnFailingStatusCode(false);
        wc.setRedirectEnabled(false);
        WebRequest request =
                new WebRequest(wc.createCrumbedUrl("job/p/1/model-promotion/iris-1/" + verb), HttpMethod.POST);
        Page page = wc.getPage(request);
        return page.getWebResponse().getStatusCode();
    }

    @Test
    public void promoteIsInThePermissionListOnAFreshControllerBeforeAnyPromotion() {
        String id = "io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionPermissions.Promote";
        // looked up by ID, without touching PromotionPermissions first: what matrix-auth's table lists
        assertTrue(
                id + " registered at start-up",
                Permission.getAll().stream().anyMatch(p -> p.getId().equals(id)));
        assertNull("not implied by Job/Build", PromotionPermissions.PROMOTE.impliedBy);
    }

    @Test
    public void getIsRefusedAndTheDecisionNeedsThePermission() throws Exception {
        FreeStyleBuild b = buildWithPromotionPage(List.of());
        JenkinsRule.WebClient wc = r.createWebClient().login("alice");
        wc.setThrowExceptionOnFailingStatusCode(false);
        Page get = wc.getPage(
                new WebRequest(new URL(r.getURL(), "job/p/1/model-promotion/iris-1/approve"), HttpMethod.GET));
        assertEquals(405, get.getWebResponse().getStatusCode()); // @RequirePOST

        assertEquals(403, post("bob", "approve"));
        assertEquals(PromotionAction.Status.PENDING, page(b).getStatus());

        assertEquals(302, post("alice", "approve"));
        assertEquals(PromotionAction.Status.APPROVED, page(b).getStatus());
        assertEquals("alice", page(b).getDecidedBy());
        assertEquals(409, post("alice", "reject"));
    }

    @Test
    public void buildDoesNotImplyPromoteAndTheDecisionIsKeptWithTheRun() throws Exception {
        FreeStyleBuild b = buildWithPromotionPage(List.of("alice"));
        assertEquals(403, post("carol", "reject")); // may build (and so deploy), may not approve
        assertEquals(302, post("alice", "reject"));
        assertEquals(PromotionAction.Status.REJECTED, page(b).getStatus());
        // recorded on the run: survives a reload
        b.reload();
        assertEquals("alice", page(b).getDecidedBy());
    }
}
