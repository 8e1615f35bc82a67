package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kohsuke.stapler.OfflineRequests;

/** One action per run: every promotion under its own ID and page, kept after the decision; the deployments. */
class ModelDeploymentsActionTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    private static PromotionAction promotion(String key) {
        return new PromotionAction(
                key, PromotionActionTest.evidence(), List.of(), Instant.now().plusSeconds(3600), null);
    }

    @Test
    void parallelPromotionsOfOneRunHaveTheirOwnPagesAndDecisions() {
        ModelDeploymentsAction run = new ModelDeploymentsAction(null, null);
        PromotionAction left = promotion("ml/iris#7/deployModel/iris-7@left");
        PromotionAction right = promotion("ml/iris#7/deployModel/iris-7@right");
        assertThat(run.add(left)).isEqualTo("iris-7");
        assertThat(run.add(right)).isEqualTo("iris-7-2");
        assertThat(left.getUrl()).isEqualTo("model-promotion/iris-7/");
        assertThat(right.getUrl()).isEqualTo("model-promotion/iris-7-2/");
        assertThat(run.getDynamic("iris-7")).isSameAs(left);
        assertThat(run.getDynamic("iris-7-2")).isSameAs(right);
        assertThat(run.getDynamic("nope")).isNull();
        assertThat(run.byKey(right.getKey())).containsSame(right);

        right.decide(new Approver("bob", List.of(), true), true, "", Instant.now());
        assertThat(left.getStatus()).isEqualTo(PromotionAction.Status.PENDING);
        assertThat(run.getPendingPromotions()).containsExactly(left);
        left.decide(new Approver("alice", List.of(), true), false, "", Instant.now());
        // decided promotions stay listed: the audit record of the run
        assertThat(run.getPromotions())
                .extracting(PromotionAction::getDecidedBy)
                .containsExactly("alice", "bob");
        assertThat(left.getOwner()).isSameAs(run);
    }

    @Test
    void aPageStoredByTheOldOnePagePerRunVersionIsReadBackIntoTheRunsAction() {
        PromotionAction legacy = promotion("ml/iris#7/deployModel/iris-7"); // never added: no ID, as stored before
        assertThat(legacy.getId()).isNull();
        Object resolved = legacy.readResolve();
        assertThat(resolved).isInstanceOf(ModelDeploymentsAction.class);
        ModelDeploymentsAction all = (ModelDeploymentsAction) resolved;
        assertThat(all.getPromotions()).containsExactly(legacy);
        assertThat(legacy.getId()).isEqualTo("iris-7");
        assertThat(legacy.readResolve()).isSameAs(legacy); // a current one stays what it is
    }

    @Test
    void evidenceMadeOnAnAgentArrivesWithoutItsReportAndThePageServesTheRunsCopy(@TempDir Path dir) throws Exception {
        PromotionEvidence crossed;
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) { // what the agent's channel does to it
            out.writeObject(PromotionActionTest.evidence());
        }
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            crossed = (PromotionEvidence) in.readObject();
        }
        assertThat(crossed.getSmokeReportHtml()).isEmpty();
        java.nio.file.Files.createDirectories(dir.resolve(crossed.getModel() + "-" + crossed.getChallenger()));
        java.nio.file.Files.writeString(
                dir.resolve(crossed.getModel() + "-" + crossed.getChallenger() + "/smoke.html"),
                "<html>the step's copy</html>");
        ModelDeploymentsAction run = new ModelDeploymentsAction(null, dir);
        PromotionAction page =
                new PromotionAction("k", crossed, List.of(), Instant.now().plusSeconds(60), null);
        run.add(page);
        // a later smoke test of the same version in this run replaces the step's copy, not this promotion's evidence
        java.nio.file.Files.writeString(
                dir.resolve(crossed.getModel() + "-" + crossed.getChallenger() + "/smoke.html"),
                "<html>a later test</html>");
        assertThat(run.report(page)).isEqualTo("<html>the step's copy</html>");
    }

    @Test
    void theSmokeReportIsAFileNextToBuildXmlNotPartOfIt(@TempDir Path dir) throws Exception {
        Field html = PromotionEvidence.class.getDeclaredField("smokeReportHtml");
        assertThat(Modifier.isTransient(html.getModifiers()))
                .as("kept out of build.xml")
                .isTrue();

        ModelDeploymentsAction run = new ModelDeploymentsAction(null, dir);
        DeployOutcome outcome = new DeployOutcome(
                "iris",
                "7",
                Optional.of(Outcome.PROMOTED),
                Optional.empty(),
                Optional.of("7"),
                "approved",
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(new Approval(true, "alice", NOW, "")));
        DeploymentRecord r = run.record(
                outcome,
                Map.of(
                        "image",
                        "r/iris@sha256:77",
                        "endpoint",
                        "http://gw/models/iris/7",
                        "smoke",
                        Map.of("p50Ms", 3.5, "p99Ms", 12.25, "errorRate", 0.001)),
                "<html>report</html>");
        assertThat(r.getReportFile()).isEqualTo("deployment-1-iris-7.html");
        assertThat(dir.resolve("deployment-1-iris-7.html")).hasContent("<html>report</html>");
        assertThat(r.getImage()).isEqualTo("r/iris@sha256:77");
        assertThat(r.getEndpoint()).isEqualTo("http://gw/models/iris/7");
        assertThat(r.getSmokeP99()).isEqualTo("12.3 ms");
        assertThat(r.getSmokeErrors()).isEqualTo("0.100%");
        assertThat(r.getOutcome()).isEqualTo("PROMOTED");
        assertThat(r.getApprovedBy()).isEqualTo("approved by alice");
        assertThat(run.getDeployments()).containsExactly(r);

        // served with a CSP sandbox: scripts in it could not act on Jenkins even when the report is opened directly
        Map<String, String> headers = new java.util.HashMap<>();
        OfflineRequests.serving(headers, () -> run.doDeploymentReport(1));
        assertThat(headers).containsEntry("Content-Security-Policy", "sandbox");
        PromotionAction page = promotion("ml/iris#7/deployModel/iris-7");
        run.add(page);
        headers.clear();
        OfflineRequests.serving(headers, page::doReport);
        assertThat(headers).containsEntry("Content-Security-Policy", "sandbox");
    }

    @Test
    void theJobTrendListsEachBuildsDeploymentsNewestFirst() {
        ModelDeploymentsAction older = new ModelDeploymentsAction(null, null);
        ModelDeploymentsAction newer = new ModelDeploymentsAction(null, null);
        DeployOutcome v1 = new DeployOutcome(
                "iris",
                "1",
                Optional.of(Outcome.PROMOTED),
                Optional.empty(),
                Optional.of("1"),
                "",
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        DeployOutcome v2 = new DeployOutcome(
                "iris",
                "2",
                Optional.of(Outcome.ROLLED_BACK),
                Optional.empty(),
                Optional.of("1"),
                "",
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        older.record(v1, Map.of("smoke", Map.of("p50Ms", 3.0, "p99Ms", 9.0, "errorRate", 0.0)), "");
        newer.record(v2, Map.of(), "");
        List<ModelDeployTrendAction.Row> rows = ModelDeployTrendAction.rows(List.of(
                new ModelDeployTrendAction.Build(8, newer.getDeployments()),
                new ModelDeployTrendAction.Build(7, older.getDeployments())));
        assertThat(rows)
                .extracting(row -> row.getBuild() + " " + row.getDeployment().getVersion() + " "
                        + row.getDeployment().getOutcome() + " "
                        + row.getDeployment().getSmokeP99())
                .containsExactly("8 2 ROLLED_BACK \u2014", "7 1 PROMOTED 9.0 ms");
    }
}
