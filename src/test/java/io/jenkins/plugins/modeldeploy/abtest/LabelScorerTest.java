package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LabelScorerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Payload labelled(String expected) throws Exception {
        return new Payload("p", new byte[0], JSON.readTree(expected).size(), Optional.of(JSON.readTree(expected)));
    }

    private static byte[] answer(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void classLabelsScoreOneObservationPerInstanceAndNoErrorMetrics() throws Exception {
        Map<String, Moments> scores = LabelScorer.score(
                labelled("[\"setosa\", \"virginica\", \"versicolor\"]"),
                answer("{\"predictions\": [\"setosa\", \"versicolor\", \"versicolor\"]}"));

        assertThat(scores).containsOnlyKeys(GatedMetric.ACCURACY);
        assertThat(scores.get(GatedMetric.ACCURACY)).isEqualTo(new Moments(3, 2, 2));
    }

    @Test
    void numbersAreEqualWithinARelativeToleranceAndScoreAbsoluteAndSquaredErrors() throws Exception {
        Map<String, Moments> scores =
                LabelScorer.score(labelled("[23.5, 10, 4]"), answer("{\"predictions\": [23.500000000000004, 12, 1]}"));

        assertThat(scores.get(GatedMetric.ACCURACY)).isEqualTo(new Moments(3, 1, 1));
        Moments mae = scores.get(GatedMetric.MAE);
        assertThat(mae.count()).isEqualTo(3);
        assertThat(mae.sum()).isCloseTo(5, within(1e-9));
        assertThat(mae.sumOfSquares()).isCloseTo(4 + 9, within(1e-9));
        Moments rmse = scores.get(GatedMetric.RMSE);
        assertThat(rmse.sum()).isCloseTo(13, within(1e-9));
        assertThat(rmse.sumOfSquares()).isCloseTo(16 + 81, within(1e-9));
    }

    @Test
    void anAnswerWithoutPredictionsScoresEveryInstanceWrong() throws Exception {
        Payload payload = labelled("[1, 0]");

        assertThat(LabelScorer.score(payload, answer("not json")))
                .containsExactly(Map.entry(GatedMetric.ACCURACY, new Moments(2, 0, 0)));
        assertThat(LabelScorer.score(payload, answer("{\"predictions\": [1]}")).get(GatedMetric.ACCURACY))
                .isEqualTo(new Moments(2, 1, 1));
    }

    @Test
    void aPayloadWithoutLabelsScoresNothing() {
        Payload payload = new Payload("p", new byte[0], 1, Optional.empty());

        assertThat(LabelScorer.score(payload, answer("{\"predictions\": [1]}"))).isEmpty();
    }

    @Test
    void structuredPredictionsAreComparedAsJson() throws Exception {
        Map<String, Moments> scores = LabelScorer.score(
                labelled("[{\"label\": \"a\", \"p\": 0.5}, [1, 2]]"),
                answer("{\"predictions\": [{\"p\": 0.5000000000000001, \"label\": \"a\"}, [1, 3]]}"));

        assertThat(scores).containsExactly(Map.entry(GatedMetric.ACCURACY, new Moments(2, 1, 1)));
    }

    @Test
    void minusKeepsOnlyMetricsWithNewObservations() {
        Map<String, Moments> earlier = Map.of(GatedMetric.ACCURACY, new Moments(2, 1, 1));
        Map<String, Moments> now =
                Map.of(GatedMetric.ACCURACY, new Moments(2, 1, 1), GatedMetric.MAE, new Moments(1, 0.5, 0.25));

        assertThat(LabelScorer.minus(now, earlier)).containsExactly(Map.entry(GatedMetric.MAE, Moments.of(0.5)));
        assertThat(LabelScorer.add(earlier, earlier).get(GatedMetric.ACCURACY)).isEqualTo(new Moments(4, 2, 2));
    }
}
