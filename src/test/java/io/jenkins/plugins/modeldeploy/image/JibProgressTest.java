package io.jenkins.plugins.modeldeploy.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.event.events.ProgressEvent;
import com.google.cloud.tools.jib.event.progress.Allocation;
import io.jenkins.plugins.modeldeploy.progress.ProgressSink;
import io.jenkins.plugins.modeldeploy.progress.ProgressSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JibProgressTest {
    private final List<ProgressSnapshot> readings = new ArrayList<>();
    private final List<String> finished = new ArrayList<>();
    private final ProgressSink sink = new ProgressSink() {
        @Override
        public void update(ProgressSnapshot snapshot) {
            readings.add(snapshot);
        }

        @Override
        public void finish(String stage) {
            finished.add(stage);
        }
    };

    /**
     * A tree as Jib builds one for a push: the root has 2 units (pulling the base, pushing), the push has 2 blobs of
     * 3 MB and 1 MB. Done share = units times each unit's worth of the root; blobs done when their bytes add up.
     */
    @Test
    void addsUpTheShareDoneAndTheBlobsAndBytesPushed() {
        JibProgress progress = new JibProgress(sink);
        Allocation root = Allocation.newRoot("building images to registry", 2);
        Allocation pull = root.newChild("pulling base image manifest", 1);
        Allocation pushLayers = root.newChild("launching layer pushers", 2);
        Allocation big = pushLayers.newChild("pushing blob sha256:aaaa", 3_000_000);
        Allocation small = pushLayers.newChild("pushing blob sha256:bbbb", 1_000_000);

        progress.accept(new ProgressEvent(root, 0));
        progress.accept(new ProgressEvent(pull, 0));
        assertThat(readings).last().extracting(ProgressSnapshot::text).isEqualTo("0%: pulling base image manifest");
        progress.accept(new ProgressEvent(pull, 1));
        assertThat(readings).last().extracting(ProgressSnapshot::text).isEqualTo("50%: pulling base image manifest");

        progress.accept(new ProgressEvent(big, 0));
        progress.accept(new ProgressEvent(small, 0));
        progress.accept(new ProgressEvent(big, 1_500_000));
        // a blob is worth 1/2 * 1/2 of the root: 1/2 + 1.5/3 * 1/4 = 62.5%
        assertThat(readings).last().extracting(ProgressSnapshot::line).isEqualTo("image: 62%: 0/2 blobs, 1.5/4.0 MB");
        progress.accept(new ProgressEvent(small, 1_000_000));
        assertThat(readings).last().extracting(ProgressSnapshot::text).isEqualTo("87%: 1/2 blobs, 2.5/4.0 MB");
        progress.accept(new ProgressEvent(big, 1_500_000));
        assertThat(readings).last().extracting(ProgressSnapshot::text).isEqualTo("100%: 2/2 blobs, 4.0/4.0 MB");

        progress.finish();
        assertThat(finished).containsExactly("image");
        assertThat(readings).allSatisfy(r -> assertThat(r.stage()).isEqualTo("image"));
    }

    @Test
    void aBuildToATarShowsTheStepUnderWay() {
        JibProgress progress = new JibProgress(sink);
        Allocation root = Allocation.newRoot("building image to tar file", 4);
        Allocation write = root.newChild("writing to tar file", 10);
        progress.accept(new ProgressEvent(root, 3));
        progress.accept(new ProgressEvent(write, 0));
        progress.accept(new ProgressEvent(write, 5));
        assertThat(readings).last().extracting(ProgressSnapshot::text).isEqualTo("87%: writing to tar file");
    }

    @Test
    void smallPushesCountInKilobytes() {
        assertThat(JibProgress.amounts(12_300, 48_000)).isEqualTo("12.3/48.0 kB");
        assertThat(JibProgress.amounts(1_500_000, 4_000_000)).isEqualTo("1.5/4.0 MB");
    }
}
