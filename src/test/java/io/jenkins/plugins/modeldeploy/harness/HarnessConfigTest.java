package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HarnessConfigTest {
    @Test
    void carriesWhatTheHarnessNeeds() throws Exception {
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(Path.of("examples/mtcars-r")), "3", "t");
        String json = new ObjectMapper()
                .readTree(HarnessConfig.render(version, "/srv/model"))
                .toString();
        assertThat(json)
                .isEqualTo("{\"entrypoint\":\"model.R\",\"maxBodyBytes\":1048576,\"modelDir\":\"/srv/model\","
                        + "\"name\":\"mtcars\",\"predictTimeoutSeconds\":30,\"runtime\":\"r\",\"signature\":{\"format\":\"object\",\"inputs\":["
                        + "{\"name\":\"wt\",\"type\":\"number\"},{\"name\":\"hp\",\"type\":\"number\"}]},\"version\":\"3\","
                        + "\"workers\":1}");
    }
}
