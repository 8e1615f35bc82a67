package io.jenkins.plugins.modeldeploy.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    @Test
    void everyTypeRoundTrips() throws Exception {
        for (EventDetails details : SampleEvents.everyType()) {
            DeploymentEvent event =
                    SampleEvents.event("iris", "2", details).about(new ObjectRef("Deployment", "models", "iris-2"));
            DeploymentEvent back = EventJson.parse(EventJson.toBytes(event));
            assertThat(back).as(details.type()).isEqualTo(event);
        }
        assertThat(SampleEvents.everyType().stream().map(EventDetails::type).collect(Collectors.toSet()))
                .isEqualTo(EventJson.knownTypes());
    }

    @Test
    void jsonFormIsTheDocumentedContract() {
        DeploymentEvent event = SampleEvents.event("iris", "2", new EventDetails.RolloutProgress("ready", 1, 2));
        JsonNode json = EventJson.toTree(event);
        assertThat(json.get("schema").asText()).isEqualTo("model-deploy.event/v1");
        assertThat(json.get("phase").asText()).isEqualTo("rollout");
        assertThat(json.get("type").asText()).isEqualTo("rollout.progress");
        assertThat(json.get("details")).hasToString("{\"state\":\"ready\",\"ready\":1,\"desired\":2}");
        assertThat(json.get("object").isNull()).isTrue();
        Set<String> fields = new java.util.TreeSet<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertThat(fields)
                .containsExactlyInAnyOrder(
                        "schema", "id", "time", "model", "version", "phase", "type", "message", "object", "details");
        assertThat(event.routingKey()).isEqualTo("iris.2.rollout.progress");
    }

    /** {@code runId} is additive within v1: present when the event belongs to a run, absent (not null) otherwise. */
    @Test
    void runIdIsWrittenWhenPresentAndRoundTrips() throws Exception {
        DeploymentEvent event = SampleEvents.event("iris", "2", new EventDetails.RolloutProgress("ready", 1, 2));
        DeploymentEvent inRun = event.inRun("20261130T194800Z-3fa9c2");
        assertThat(EventJson.toTree(inRun).get("runId").asText()).isEqualTo("20261130T194800Z-3fa9c2");
        assertThat(EventJson.parse(EventJson.toLine(inRun))).isEqualTo(inRun);
        assertThat(EventJson.toTree(event).has("runId")).isFalse();
        assertThat(EventJson.parse(EventJson.toLine(event)).runId()).isEmpty();
        assertThat(inRun.id()).isEqualTo(event.id());
    }

    @Test
    void urlsAreStoredWithoutCredentials() {
        String url = "http://smoke:pw-in-url@127.0.0.1:8080/predict?token=tk&rows=1";
        DeploymentEvent event = DeploymentEvent.of(
                "iris", "2", "smoke test started against " + url, new EventDetails.SmokeStarted(url, 10, 5));
        String line = EventJson.toLine(event);
        assertThat(line)
                .contains("against http://smoke:***@127.0.0.1:8080/predict?token=***&rows=1")
                .contains("\"url\":\"http://smoke:***@127.0.0.1:8080/predict?token=***&rows=1\"")
                .doesNotContain("pw-in-url")
                .doesNotContain("token=tk");
        assertThat(new ConsoleSink(s -> {}, false).format(event)).doesNotContain("pw-in-url");
    }

    @Test
    void rejectsForeignDocuments() {
        assertThatThrownBy(() -> EventJson.parse("{\"schema\": \"other/v9\"}"))
                .hasMessage("not a model-deploy.event/v1 event (schema \"other/v9\")");
        assertThatThrownBy(() -> EventJson.parse("{\"schema\": \"model-deploy.event/v1\", \"type\": \"x.y\"}"))
                .hasMessage("unknown event type \"x.y\"");
    }
}
