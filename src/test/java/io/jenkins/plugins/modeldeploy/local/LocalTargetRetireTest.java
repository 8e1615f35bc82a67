package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.target.FileReleaseStore;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retiring a version with REMOVE forgets its stage and evidence, as deleting its Deployment does on Kubernetes. */
class LocalTargetRetireTest {
    @TempDir
    Path dir;

    @Test
    void removeForgetsTheVersionsStageAndEvidenceButScaleToZeroKeepsThem() throws Exception {
        VersionRef one = new VersionRef("echo", "1");
        VersionRef two = new VersionRef("echo", "2");
        try (LocalGateway gateway = LocalGateway.start(0);
                LocalTarget target =
                        new LocalTarget(gateway, HarnessOptions.loopback(), dir, event -> {}, line -> {})) {
            FileReleaseStore store = (FileReleaseStore) target.releases();
            ReleaseState release = ReleaseState.empty("echo", Instant.now());
            store.save(Optional.empty(), release);
            for (VersionRef ref : new VersionRef[] {one, two}) {
                store.setStage(ref, Stage.RETIRED);
                store.annotate(ref, Map.of("smoke", "{}"));
            }

            target.retire(one, RetireMode.REMOVE);
            target.retire(two, RetireMode.SCALE_TO_ZERO);

            assertThat(store.stages("echo")).containsOnlyKeys("2");
            assertThat(store.annotations(one)).isEmpty();
            assertThat(store.annotations(two)).containsEntry("smoke", "{}");
            assertThat(store.load("echo")).contains(release);

            // nothing to forget: no state file is created for a model that has none
            target.retire(new VersionRef("other", "1"), RetireMode.REMOVE);
            assertThat(Files.exists(store.file("other"))).isFalse();
        }
    }
}
