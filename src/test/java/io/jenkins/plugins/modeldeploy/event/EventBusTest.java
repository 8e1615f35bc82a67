package io.jenkins.plugins.modeldeploy.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventBusTest {
    @TempDir
    Path dir;

    /** Records what it gets; optionally slow or failing. */
    static final class RecordingSink implements EventSink {
        final List<DeploymentEvent> received = Collections.synchronizedList(new ArrayList<>());
        final long delayMillis;
        final boolean failing;

        RecordingSink(long delayMillis, boolean failing) {
            this.delayMillis = delayMillis;
            this.failing = failing;
        }

        @Override
        public void accept(DeploymentEvent event) throws Exception {
            Thread.sleep(delayMillis);
            if (failing) {
                throw new IllegalStateException("disk full");
            }
            received.add(event);
        }

        @Override
        public String name() {
            return failing ? "failing" : "recording";
        }
    }

    @Test
    void aSlowOrFailingSinkNeitherBlocksNorStopsTheOthers() {
        RecordingSink slow = new RecordingSink(20, false);
        RecordingSink failing = new RecordingSink(0, true);
        RecordingSink fast = new RecordingSink(0, false);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        EventBus bus = new EventBus(List.of(slow, failing, fast), problems::add);
        List<DeploymentEvent> sent = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            DeploymentEvent event = SampleEvents.event("iris", "2", new EventDetails.RolloutProgress("ready", i, 50));
            sent.add(event);
            bus.publish(event);
        }
        long publishMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(publishMillis).as("50 publishes to a sink taking 20 ms each").isLessThan(500);
        assertThat(bus.close(Duration.ofSeconds(10))).isTrue();
        List<DeploymentEvent> inRun =
                sent.stream().map(e -> e.inRun(bus.runId())).toList();
        assertThat(slow.received).containsExactlyElementsOf(inRun);
        assertThat(fast.received).containsExactlyElementsOf(inRun);
        assertThat(bus.failures()).containsEntry("failing", 50L).containsEntry("recording", 0L);
        assertThat(problems).containsExactly("event sink failing failed on rollout.progress: disk full");
    }

    @Test
    void closeReportsASinkThatCannotFinish() {
        RecordingSink stuck = new RecordingSink(5_000, false);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        EventBus bus = new EventBus(List.of(stuck), problems::add);
        bus.publish(SampleEvents.event("iris", "2", new EventDetails.BuildStarted("x")));
        bus.publish(SampleEvents.event("iris", "2", new EventDetails.BuildStarted("y")));
        assertThat(bus.close(Duration.ofMillis(300))).isFalse();
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0))
                .startsWith("event sink recording did not finish within 300 ms; 1 event(s) still" + " queued");
    }

    @Test
    void journalKeepsOneFilePerDeploymentInOrder() throws Exception {
        JournalSink journal = new JournalSink(dir);
        List<DeploymentEvent> iris = new ArrayList<>();
        EventBus bus = new EventBus(List.of(journal), problem -> {});
        for (EventDetails details : SampleEvents.everyType()) {
            DeploymentEvent a = SampleEvents.event("iris", "2", details);
            iris.add(a.inRun(bus.runId()));
            bus.publish(a);
            bus.publish(SampleEvents.event("mtcars", "5", details));
        }
        assertThat(bus.close(Duration.ofSeconds(10))).isTrue();
        assertThat(JournalSink.read(journal.fileOf("iris", "2"))).containsExactlyElementsOf(iris);
        assertThat(JournalSink.read(journal.fileOf("mtcars", "5"))).hasSize(iris.size());
    }

    /**
     * Two runs writing to one journal directory (two demos in one folder): every line names its run, so the
     * interleaved lines of {@code iris-2.jsonl} can be told apart; an event relayed from another process's run keeps
     * its run id.
     */
    @Test
    void everyJournalLineNamesTheRunThatWroteIt() throws Exception {
        JournalSink first = new JournalSink(dir);
        JournalSink second = new JournalSink(dir);
        EventBus one = new EventBus(List.of(first), problem -> {});
        EventBus two = new EventBus(List.of(second), problem -> {});
        assertThat(one.runId()).isNotEqualTo(two.runId()).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
        for (int i = 0; i < 3; i++) {
            one.publish(SampleEvents.event("iris", "2", new EventDetails.RolloutProgress("ready", i, 3)));
            two.publish(SampleEvents.event("iris", "2", new EventDetails.RolloutProgress("ready", i, 3)));
        }
        DeploymentEvent relayed = SampleEvents.event("iris", "2", new EventDetails.BuildStarted("x"))
                .inRun("20261130T000000Z-abcdef");
        one.publish(relayed);
        assertThat(one.close(Duration.ofSeconds(10))).isTrue();
        assertThat(two.close(Duration.ofSeconds(10))).isTrue();
        List<DeploymentEvent> lines = JournalSink.read(first.fileOf("iris", "2"));
        assertThat(lines).hasSize(7);
        assertThat(lines.stream().filter(e -> e.runId().equals(java.util.Optional.of(one.runId()))))
                .hasSize(3);
        assertThat(lines.stream().filter(e -> e.runId().equals(java.util.Optional.of(two.runId()))))
                .hasSize(3);
        assertThat(lines).contains(relayed);
    }

    @Test
    void consoleShowsOneLinePerChangeAndACompactProgressForm() {
        List<String> lines = new ArrayList<>();
        ConsoleSink console = new ConsoleSink(lines::add, true);
        console.accept(SampleEvents.event("iris", "2", new EventDetails.RolloutProgress("scheduled", 0, 2))
                .about(new ObjectRef("Deployment", "models", "iris-2")));
        console.accept(SampleEvents.event("iris", "2", new EventDetails.RolloutProgress("ready", 1, 2)));
        console.accept(SampleEvents.event("iris", "2", new EventDetails.RolloutSucceeded(2, 3.5)));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0))
                .matches("\\d\\d:\\d\\d:\\d\\d iris-2 rollout   rollout.progress happened"
                        + " \\(Deployment models/iris-2\\)");
        assertThat(lines.get(1)).matches("\\d\\d:\\d\\d:\\d\\d iris-2   \\.\\.\\. ready 1/2");
        assertThat(lines.get(2)).matches("\\d\\d:\\d\\d:\\d\\d iris-2 rollout   rollout.succeeded happened");
    }
}
