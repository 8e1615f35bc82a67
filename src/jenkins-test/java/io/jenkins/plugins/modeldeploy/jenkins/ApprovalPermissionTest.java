package io.jenkins.plugins.modeldeploy.jenkins;

import static org.junit.Assert.assertEquals;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Item;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
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

/** Approve and Reject over HTTP: POST only, ModelDeploy/Promote (or Job/Build, which implies it), the approver list. */
public class ApprovalPermissionTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    private FreeStyleBuild buildWithPromotionPage(List<String> approvers) throws Exception {
        r.jenkins.setSecurityRealm(r.createDummySecurityRealm());
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy()
                .grant(Jenkins.READ, Item.READ).everywhere().to("alice", "bob", "carol")
                .grant(PromotionPermissions.PROMOTE).everywhere().to("alice")
                .grant(Item.BUILD).everywhere().to("carol"));
        FreeStyleProject p = r.createFreeStyleProject("p");
        FreeStyleBuild b = r.buildAndAssertSuccess(p);
        PromotionEvidence evidence = new PromotionEvidence(new PromotionRequest("iris", "", "1", Optional.empty(),
                Optional.of("r/iris@sha256:" + "1".repeat(64)), Optional.empty(), Optional.empty(), Verdict.PROMOTE,
                List.of()));
        b.addAction(new PromotionAction("p#1/test", evidence, approvers, Instant.now().plusSeconds(3600), null));
        b.save();
        return b;
    }

    private int post(String user, String verb) throws Exception {
        JenkinsRule.WebClient wc = r.createWebClient().login(user);
        wc.setThrowExceptionOnFailingStatusCode(false);
        wc.setRedirectEnabled(false);
        WebRequest request = new WebRequest(wc.createCrumbedUrl("job/p/1/model-promotion/" + verb), HttpMethod.POST);
        Page page = wc.getPage(request);
        return page.getWebResponse().getStatusCode();
    }

    @Test
    public void getIsRefusedAndTheDecisionNeedsThePermission() throws Exception {
        FreeStyleBuild b = buildWithPromotionPage(List.of());
        JenkinsRule.WebClient wc = r.createWebClient().login("alice");
        wc.setThrowExceptionOnFailingStatusCode(false);
        Page get = wc.getPage(new WebRequest(new URL(r.getURL(), "job/p/1/model-promotion/approve"), HttpMethod.GET));
        assertEquals(405, get.getWebResponse().getStatusCode()); // @RequirePOST

        assertEquals(403, post("bob", "approve"));
        assertEquals(PromotionAction.Status.PENDING, b.getAction(PromotionAction.class).getStatus());

        assertEquals(302, post("alice", "approve"));
        PromotionAction page = b.getAction(PromotionAction.class);
        assertEquals(PromotionAction.Status.APPROVED, page.getStatus());
        assertEquals("alice", page.getDecidedBy());
        assertEquals(409, post("alice", "reject"));
    }

    @Test
    public void buildImpliesPromoteAndTheApproverListStillApplies() throws Exception {
        FreeStyleBuild b = buildWithPromotionPage(List.of("alice"));
        assertEquals(403, post("carol", "reject")); // may build, so may promote, but is not listed
        assertEquals(302, post("alice", "reject"));
        assertEquals(PromotionAction.Status.REJECTED, b.getAction(PromotionAction.class).getStatus());
        // recorded on the run: survives a reload
        b.reload();
        assertEquals("alice", b.getAction(PromotionAction.class).getDecidedBy());
    }
}
