package io.jenkins.plugins.modeldeploy.jenkins.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.event.ObjectRef;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretMask;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Engine events in the build log, and that no secret reaches it in plain, base64 or URL-encoded form. */
class BuildLogSinkTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final SecretMask mask = new SecretMask();
    private final BuildLogSink sink = new BuildLogSink(new PrintStream(bytes, true, StandardCharsets.UTF_8), mask);

    private String log() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesEachEventAsAConsoleLineAsItArrives() {
        sink.accept(DeploymentEvent.of("iris", "7", "ready 1/2", new EventDetails.RolloutProgress("ready", 1, 2))
                .about(new ObjectRef("Deployment", "ml", "iris-7")));
        assertThat(log()).contains("iris-7 rollout   ready 1/2 (Deployment ml/iris-7)");
        sink.accept(
                DeploymentEvent.of("iris", "7", "built", new EventDetails.BuildFinished("r/iris:7", "sha256:1", 1, 2)));
        assertThat(log().lines()).hasSize(2);
    }

    @Test
    void aFailedRolloutShowsTheContainerLogTail() {
        sink.accept(DeploymentEvent.of(
                "iris",
                "7",
                "CrashLoopBackOff",
                new EventDetails.RolloutFailed(
                        "CrashLoopBackOff", List.of("Traceback (most recent call last):", "ImportError: sklearn"))));
        assertThat(log()).contains("    | Traceback (most recent call last):", "    | ImportError: sklearn");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hunter2-Secret", "p@ss w/rd+=&?", "ÄÖÜ-unicode-secret", "tok_0123456789abcdefXYZ"})
    void noSecretIsPrintedPlainBase64OrUrlEncoded(String secret) {
        mask.add(secret, "ci-bot");
        byte[] raw = secret.getBytes(StandardCharsets.UTF_8);
        List<String> forms = List.of(
                secret,
                URLEncoder.encode(secret, StandardCharsets.UTF_8),
                URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"),
                Base64.getEncoder().encodeToString(raw),
                Base64.getEncoder().withoutPadding().encodeToString(raw),
                Base64.getUrlEncoder().encodeToString(raw),
                Base64.getEncoder().encodeToString(("ci-bot:" + secret).getBytes(StandardCharsets.UTF_8)));
        for (String form : forms) {
            sink.accept(DeploymentEvent.of(
                    "iris", "7", "auth " + form + " done", new EventDetails.BuildStarted("r/iris:7")));
        }
        // a secret inside a longer base64 value, at every byte alignment (e.g. a JSON config encoded whole)
        for (String prefix : List.of("", "x", "xy", "{\"auth\":\"")) {
            String embedded =
                    Base64.getEncoder().encodeToString((prefix + secret + "\"}").getBytes(StandardCharsets.UTF_8));
            sink.println("docker config " + embedded);
            assertThat(log()).doesNotContain(coreOf(secret, prefix));
        }
        String text = log();
        for (String form : forms) {
            assertThat(text).doesNotContain(form);
        }
        assertThat(text).contains("auth **** done");
    }

    @Test
    void eachSecretInsideAKubeconfigIsMaskedOnItsOwn() {
        mask.addKubeconfig("apiVersion: v1\nusers:\n- name: ci\n  user:\n    token: kube-TOKEN-4242-abcdef\n"
                + "- name: admin\n  user: {username: admin, password: 'p4ss-w0rd!', client-key-data: LS0tLS1CRUdJTg==}\n"
                + "clusters:\n- name: c\n  cluster: {server: 'https://10.0.0.1:6443'}\n");
        sink.println("401 Unauthorized for bearer kube-TOKEN-4242-abcdef at https://10.0.0.1:6443");
        sink.println("basic auth admin:p4ss-w0rd! key LS0tLS1CRUdJTg==");
        assertThat(log())
                .doesNotContain("kube-TOKEN-4242-abcdef", "p4ss-w0rd!", "LS0tLS1CRUdJTg==")
                .contains("bearer **** at https://10.0.0.1:6443", "basic auth admin:****");
    }

    @Test
    void linesWithoutSecretsAreUntouched() {
        mask.add("hunter2-Secret", null);
        sink.println("pushed 3 layers to registry.example.com/models/iris");
        assertThat(log()).isEqualTo("pushed 3 layers to registry.example.com/models/iris" + System.lineSeparator());
    }

    /** The characters of base64(prefix + secret) that encode only bytes of the secret. */
    private static String coreOf(String secret, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] s = secret.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[p.length + s.length];
        System.arraycopy(p, 0, all, 0, p.length);
        System.arraycopy(s, 0, all, p.length, s.length);
        String encoded = Base64.getEncoder().encodeToString(all);
        int from = (p.length * 4 + 2) / 3 + 1;
        int to = ((p.length + s.length) * 4) / 3 - 1;
        return encoded.substring(from, to);
    }
}
