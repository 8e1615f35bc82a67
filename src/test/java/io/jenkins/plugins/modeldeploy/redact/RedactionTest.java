package io.jenkins.plugins.modeldeploy.redact;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void hidesTheUserInfoPasswordAndKeepsTheUser() {
        assertThat(Redaction.url("amqp://deployer:s3cr%40t@broker:5672/prod"))
                .isEqualTo("amqp://deployer:***@broker:5672/prod");
        assertThat(Redaction.url("http://u:p@ss@host/x")).isEqualTo("http://u:***@host/x");
        assertThat(Redaction.url("amqp://guest@127.0.0.1:5672/")).isEqualTo("amqp://guest@127.0.0.1:5672/");
        assertThat(Redaction.url("http://127.0.0.1:8080/predict")).isEqualTo("http://127.0.0.1:8080/predict");
    }

    @Test
    void hidesCredentialQueryParametersOnly() {
        assertThat(Redaction.url("https://h/p?api_key=K1&rows=3&X-Amz-Signature=abc&Token=t#frag"))
                .isEqualTo("https://h/p?api_key=***&rows=3&X-Amz-Signature=***&Token=***#frag");
        assertThat(Redaction.url("https://h/p?sig=1&key=2&client_secret=3&access_token=4&page=5&flag"))
                .isEqualTo("https://h/p?sig=***&key=***&client_secret=***&access_token=***&page=5&flag");
        assertThat(Redaction.url("https://h/p?api%5Fkey=1")).isEqualTo("https://h/p?api%5Fkey=***");
        // a '?' or '@' in the path or query is not user-info
        assertThat(Redaction.url("http://h/a@b?c=d")).isEqualTo("http://h/a@b?c=d");
    }

    @Test
    void redactsEveryUrlInFreeText() {
        assertThat(Redaction.text("smoke test against http://a:b@h:1/p?password=x, then \"amqp://u:v@q\"."))
                .isEqualTo("smoke test against http://a:***@h:1/p?password=***, then \"amqp://u:***@q\".");
        assertThat(Redaction.text("<td>https://u:pw@h/x</td>")).isEqualTo("<td>https://u:***@h/x</td>");
        assertThat(Redaction.text("no url here")).isEqualTo("no url here");
        assertThat(Redaction.text(null)).isNull();
    }

    @Test
    void namesThatLookLikeCredentials() {
        assertThat(Set.of(
                        "MODEL_DEPLOY_AMQP_PASSWORD",
                        "MODEL_DEPLOY_REGISTRY_PASSWORD",
                        "GITHUB_TOKEN",
                        "AWS_SECRET_ACCESS_KEY",
                        "AWS_ACCESS_KEY_ID",
                        "OPENAI_API_KEY",
                        "apikey",
                        "PGPASSWORD",
                        "SSH_AUTH_SOCK"))
                .allMatch(Redaction::isCredentialName);
        assertThat(Set.of("PATH", "HOME", "MODEL_DEPLOY_WORKERS", "OMP_NUM_THREADS", "keyboard", "LANG", "rows"))
                .noneMatch(Redaction::isCredentialName);
    }
}
