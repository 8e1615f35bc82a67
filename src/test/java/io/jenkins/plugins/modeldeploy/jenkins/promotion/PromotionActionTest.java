package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.init.InitMilestone;
import hudson.init.Initializer;
import hudson.model.Item;
import hudson.model.User;
import hudson.security.AccessControlled;
import hudson.security.Permission;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.PromotionRequest;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import jenkins.model.IdStrategy;
import jenkins.model.Jenkins;
import jenkins.model.OfflineJenkins;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.interceptor.RequirePOST;

/** The promotion page's checks: POST only, the permission, the approver list, once only, within the window. */
class PromotionActionTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    static PromotionEvidence evidence() {
        ExperimentPlan plan = new ExperimentPlan(
                "iris",
                "6",
                "7",
                10,
                Duration.ofMinutes(5),
                Duration.ofMinutes(30),
                1000,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                OptionalDouble.empty(),
                50);
        ExperimentResult result = new ExperimentResult(
                plan,
                Verdict.PROMOTE,
                List.of("not worse on any metric"),
                new VariantStats("6", 9000, 9, 12, 3.1, 21.5),
                new VariantStats("7", 1000, 1, 1, 2.9, 19.0),
                0.61,
                0.72,
                0.4,
                Duration.ofMinutes(6),
                List.of(),
                List.of());
        return new PromotionEvidence(new PromotionRequest(
                "iris",
                "6",
                "7",
                Optional.of("r/iris@sha256:66"),
                Optional.of("r/iris@sha256:77"),
                Optional.empty(),
                Optional.of(result),
                Verdict.PROMOTE,
                result.reasons()));
    }

    private static PromotionAction action(List<String> approvers) {
        return new PromotionAction("ml/iris#7/deployModel/iris-7", evidence(), approvers, NOW.plusSeconds(3600), null);
    }

    /** A job on which the current user holds (or lacks) ModelDeploy/Promote; checkPermission as Jenkins' denies. */
    static AccessControlled job(boolean promote) {
        return new AccessControlled() {
            @Override
            public boolean hasPermission(Permission permission) {
                return permission == PromotionPermissions.PROMOTE && promote;
            }

            @Override
            public void checkPermission(Permission permission) {
                if (!hasPermission(permission)) {
                    throw new SecurityException(Jenkins.getAuthentication2().getName() + " is missing the "
                            + permission.name + " permission"); // Jenkins: login redirect for anonymous, else 403
                }
            }
        };
    }

    /** A promotion attached to a run's action whose permissions are {@code job}'s. */
    private static PromotionAction attached(List<String> approvers, AccessControlled job) {
        PromotionAction page = action(approvers);
        new ModelDeploymentsAction(job, null).add(page);
        return page;
    }

    @AfterEach
    void signOut() {
        OfflineJenkins.uninstall();
    }

    // --- who may decide: the submitting user's own authentication, compared as the realm compares IDs ---------

    @Test
    void aNonAdministratorInAnApproverGroupApprovesOnTheirOwnAuthentication() {
        OfflineJenkins.install(IdStrategy.CASE_INSENSITIVE, IdStrategy.CASE_INSENSITIVE, null, "admin");
        OfflineJenkins.signIn("bob", "developers", "ml-leads");
        // what the review found: core's User.getAuthorities() is empty unless the CALLER is an administrator
        assertThat(User.current().getId()).isEqualTo("bob");
        assertThat(User.current().getAuthorities()).isEmpty();

        PromotionAction page = attached(List.of("alice", "ml-leads"), job(true));
        assertThat(page.decideAsCurrentUser(true, "ship it", NOW)).isEqualTo(PromotionAction.Outcome.RECORDED);
        assertThat(page.getApproval()).isEqualTo(new Approval(true, "bob", NOW, "ship it"));
    }

    @Test
    void userIdsAndGroupsAreComparedAsTheSecurityRealmComparesThem() {
        OfflineJenkins.install(IdStrategy.CASE_INSENSITIVE, IdStrategy.CASE_INSENSITIVE, null);
        OfflineJenkins.signIn("ML-Lead-Bob");
        assertThat(attached(List.of("ml-lead-bob"), job(true)).decideAsCurrentUser(true, "", NOW))
                .isEqualTo(PromotionAction.Outcome.RECORDED);
        OfflineJenkins.signIn("carol", "ML-LEADS");
        assertThat(attached(List.of("ml-leads"), job(true)).decideAsCurrentUser(true, "", NOW))
                .isEqualTo(PromotionAction.Outcome.RECORDED);

        OfflineJenkins.install(new IdStrategy.CaseSensitive(), new IdStrategy.CaseSensitive(), null);
        OfflineJenkins.signIn("ML-Lead-Bob", "ML-LEADS");
        assertThat(attached(List.of("ml-lead-bob", "ml-leads"), job(true)).decideAsCurrentUser(true, "", NOW))
                .isEqualTo(PromotionAction.Outcome.NOT_LISTED);
        assertThat(attached(List.of("ML-Lead-Bob"), job(true)).decideAsCurrentUser(true, "", NOW))
                .isEqualTo(PromotionAction.Outcome.RECORDED);
    }

    @Test
    void someoneNotListedIsRefusedUnlessTheyAdministerJenkins() {
        OfflineJenkins.install(IdStrategy.CASE_INSENSITIVE, IdStrategy.CASE_INSENSITIVE, null, "root");
        OfflineJenkins.signIn("dave", "developers");
        PromotionAction page = attached(List.of("alice", "ml-leads"), job(true));
        assertThat(page.decideAsCurrentUser(true, "", NOW)).isEqualTo(PromotionAction.Outcome.NOT_LISTED);
        assertThat(page.getStatus()).isEqualTo(PromotionAction.Status.PENDING);
        // as in pipeline-input-step, an administrator may always settle
        OfflineJenkins.signIn("root");
        assertThat(page.decideAsCurrentUser(false, "", NOW)).isEqualTo(PromotionAction.Outcome.RECORDED);
        assertThat(page.getDecidedBy()).isEqualTo("root");
    }

    @Test
    void withoutThePermissionJenkinsDeniesTheRequestAndNothingIsRecorded() {
        OfflineJenkins.install(IdStrategy.CASE_INSENSITIVE, IdStrategy.CASE_INSENSITIVE, null);
        OfflineJenkins.signIn("bob", "ml-leads");
        PromotionAction page = attached(List.of("ml-leads"), job(false));
        assertThatThrownBy(() -> page.decideAsCurrentUser(true, "", NOW))
                .isInstanceOf(SecurityException.class)
                .hasMessage("bob is missing the Promote permission");
        assertThat(page.getStatus()).isEqualTo(PromotionAction.Status.PENDING);
    }

    @Test
    void approveAndRejectAreJenkinsActionsThatOnlyAcceptPost() throws Exception {
        for (String name : List.of("doApprove", "doReject")) {
            Method m = PromotionAction.class.getMethod(name, String.class);
            assertThat(m.isAnnotationPresent(RequirePOST.class))
                    .as(name + " @RequirePOST")
                    .isTrue();
            assertThat(m.getParameters()[0].isAnnotationPresent(QueryParameter.class))
                    .isTrue();
        }
        assertThat(PromotionAction.class.getMethod("doReport").isAnnotationPresent(RequirePOST.class))
                .isFalse();
        assertThat(new ModelDeploymentsAction().getUrlName()).isEqualTo("model-promotion");
    }

    @Test
    void theDedicatedPermissionIsModelDeployPromoteNotImpliedByBuildUnlessTheAdministratorSaysSo() {
        assertThat(PromotionPermissions.PROMOTE.name).isEqualTo("Promote");
        assertThat(PromotionPermissions.PROMOTE.group).isSameAs(PromotionPermissions.GROUP);
        assertThat(PromotionPermissions.GROUP.title.toString()).isEqualTo("ModelDeploy"); // Localizable formats
        assertThat(io.jenkins.plugins.modeldeploy.jenkins.Messages.Promotion_permissionGroup())
                .isEqualTo("ModelDeploy");
        assertThat(System.getProperty(PromotionPermissions.IMPLIED_BY_BUILD)).isNull();
        // whoever may build may not approve; an administrator may (matrix-auth grants implied permissions only so)
        assertThat(PromotionPermissions.PROMOTE.impliedBy).isSameAs(jenkins.model.Jenkins.ADMINISTER);
        assertThat(PromotionPermissions.impliedBy(true)).isSameAs(Item.BUILD); // -D...promoteImpliedByBuild=true
        assertThat(PromotionPermissions.impliedBy(false)).isSameAs(jenkins.model.Jenkins.ADMINISTER);
    }

    @Test
    void thePermissionIsRegisteredAtStartUpNotOnFirstUse() throws Exception {
        Method register = PromotionPermissions.class.getMethod("register");
        assertThat(Modifier.isStatic(register.getModifiers())).isTrue();
        Initializer init = register.getAnnotation(Initializer.class);
        assertThat(init).as("@Initializer on PromotionPermissions.register").isNotNull();
        assertThat(init.after()).isEqualTo(InitMilestone.PLUGINS_STARTED);
    }

    @Test
    void withoutThePermissionNothingIsRecorded() {
        PromotionAction page = action(List.of());
        assertThat(page.decide(new Approver("mallory", List.of(), false), true, "", NOW))
                .isEqualTo(PromotionAction.Outcome.NOT_PERMITTED);
        assertThat(page.getStatus()).isEqualTo(PromotionAction.Status.PENDING);
        assertThat(page.message(PromotionAction.Outcome.NOT_PERMITTED))
                .isEqualTo("You need the ModelDeploy/Promote permission on this job to approve or reject a promotion");
    }

    @Test
    void anApproverListAdmitsListedUsersAndMembersOfListedGroupsOnly() {
        PromotionAction page = action(List.of("alice", "ml-leads"));
        assertThat(page.decide(new Approver("dave", List.of("developers"), true), true, "", NOW))
                .isEqualTo(PromotionAction.Outcome.NOT_LISTED);
        assertThat(page.message(PromotionAction.Outcome.NOT_LISTED))
                .isEqualTo("Only alice, ml-leads may approve or reject this promotion");
        assertThat(page.decide(
                        new Approver("erin", List.of("developers", "ml-leads"), true),
                        false,
                        " too slow ",
                        NOW.plusSeconds(60)))
                .isEqualTo(PromotionAction.Outcome.RECORDED);
        assertThat(page.getStatus()).isEqualTo(PromotionAction.Status.REJECTED);
        assertThat(page.getDecidedBy()).isEqualTo("erin");
        assertThat(page.getDecidedAt()).isEqualTo(NOW.plusSeconds(60));
        assertThat(page.getComment()).isEqualTo("too slow");
        assertThat(page.getApproval()).isEqualTo(new Approval(false, "erin", NOW.plusSeconds(60), "too slow"));
    }

    @Test
    void aDecisionIsGivenOnceAndOnlyWithinTheWindow() {
        PromotionAction page = action(List.of());
        Approver alice = new Approver("alice", List.of(), true);
        assertThat(page.decide(alice, true, "", NOW.plusSeconds(3600))).isEqualTo(PromotionAction.Outcome.EXPIRED);
        assertThat(page.decide(alice, true, null, NOW)).isEqualTo(PromotionAction.Outcome.RECORDED);
        assertThat(page.decide(new Approver("bob", List.of(), true), false, "", NOW))
                .isEqualTo(PromotionAction.Outcome.ALREADY_DECIDED);
        assertThat(page.message(PromotionAction.Outcome.ALREADY_DECIDED))
                .isEqualTo("This promotion was already approved by alice at 2026-11-25T12:00:00Z");
        assertThat(page.getApproval().approved()).isTrue();
    }

    @Test
    void theDecisionGoesToTheWaitingStepOrElseToTheFollowUp() throws Exception {
        AtomicReference<Approval> delivered = new AtomicReference<>();
        PromotionAction page = action(List.of());
        ApprovalRegistry.await(page.getKey(), delivered::set);
        page.decide(new Approver("alice", List.of(), true), true, "ok", NOW);
        assertThat(delivered.get().approver()).isEqualTo("alice");
        assertThat(ApprovalRegistry.isWaiting(page.getKey())).isFalse();

        java.util.concurrent.CompletableFuture<Approval> followed = new java.util.concurrent.CompletableFuture<>();
        PromotionAction freestyle = new PromotionAction(
                "ml/iris#8/freestyle/iris-8", evidence(), List.of(), NOW.plusSeconds(60), (AfterDecision)
                        (run, a, approval) -> followed.complete(approval));
        freestyle.decide(new Approver("bob", List.of(), true), false, "no", NOW);
        assertThat(followed.get(5, java.util.concurrent.TimeUnit.SECONDS).approved())
                .isFalse();
    }

    @Test
    void theEvidenceKeepsTheNumbersTheApproverSees() {
        PromotionEvidence e = evidence();
        assertThat(e.getChampionImage()).isEqualTo("r/iris@sha256:66");
        assertThat(e.getChallengerImage()).isEqualTo("r/iris@sha256:77");
        assertThat(e.getVerdict()).isEqualTo("PROMOTE");
        assertThat(e.getChampionStats().getErrorRate()).isEqualTo("0.100%");
        assertThat(e.getChallengerStats().getP99Ms()).isEqualTo(19.0);
        assertThat(e.getErrorRatePValue()).isEqualTo(0.61);
        assertThat(e.getExperimentSeconds()).isEqualTo(360.0);
        assertThat(e.isSmokeRan()).isFalse();
        assertThat(e.getSmokeReportHtml()).isEmpty();
    }
}
