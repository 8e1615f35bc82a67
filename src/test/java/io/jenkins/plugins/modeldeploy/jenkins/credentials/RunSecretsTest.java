package io.jenkins.plugins.modeldeploy.jenkins.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.model.Descriptor;
import hudson.util.Secret;
import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.junit.jupiter.api.Test;

/** Credential types by option, the errors that name the option and ID, and that every secret reaches the mask. */
class RunSecretsTest {
    private final SecretMask mask = new SecretMask();
    private final Map<String, StandardCredentials> store = Map.of(
            "kubeconfig", file("kubeconfig", "users:\n- user: {token: tok-123456}\n"),
            "token", text("token", "ghp_registry_token_42"),
            "userpass", userPassword("userpass", "ci-bot", "hunter2-pass"));
    private final RunSecrets secrets = new RunSecrets(store::get, mask);

    @Test
    void eachOptionTakesItsCredentialTypes() {
        assertThat(secrets.kubeconfig("kubeconfigCredentialsId", "kubeconfig")).contains("tok-123456");
        assertThat(secrets.registry("registryCredentialsId", "token"))
                .isEqualTo(new RegistryCredentials(RunSecrets.TOKEN_USER, "ghp_registry_token_42"));
        assertThat(secrets.registry("registryCredentialsId", "userpass"))
                .isEqualTo(new RegistryCredentials("ci-bot", "hunter2-pass"));
        assertThat(secrets.usernamePassword("eventsCredentialsId", "userpass").username())
                .isEqualTo("ci-bot");

        assertThat(mask.apply("tok-123456 ghp_registry_token_42 hunter2-pass ci-bot"))
                .isEqualTo("**** **** **** ci-bot");
    }

    @Test
    void errorsNameTheOptionTheIdAndWhatWasExpected() {
        assertThatThrownBy(() -> secrets.kubeconfig("kubeconfigCredentialsId", "nope"))
                .hasMessage("kubeconfigCredentialsId: no credentials with ID \"nope\" are visible to this build (check"
                        + " the ID and that the credential is in a scope this job can use)");
        assertThatThrownBy(() -> secrets.usernamePassword("eventsCredentialsId", "token"))
                .hasMessageStartingWith("eventsCredentialsId: credentials \"token\" are a ")
                .hasMessageEndingWith("; expected username with password");
        assertThatThrownBy(() -> secrets.kubeconfig("kubeconfigCredentialsId", "userpass"))
                .hasMessageEndingWith("; expected a secret file holding a kubeconfig");
    }

    private abstract static class Base implements StandardCredentials {
        private final String id;

        Base(String id) {
            this.id = id;
        }

        @Override
        public String getId() {
            return id;
        }

        @Override
        public Descriptor<Credentials> getDescriptor() {
            throw new AssertionError("the secret lookup must not need the credential's descriptor");
        }
    }

    private static StandardCredentials file(String id, String content) {
        final class File extends Base implements FileCredentials {
            File() {
                super(id);
            }

            @Override
            public InputStream getContent() {
                return new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
            }
        }
        return new File();
    }

    private static StandardCredentials text(String id, String secret) {
        final class Text extends Base implements StringCredentials {
            Text() {
                super(id);
            }

            @Override
            public Secret getSecret() {
                return Secret.fromString(secret);
            }
        }
        return new Text();
    }

    private static StandardCredentials userPassword(String id, String user, String password) {
        final class UserPassword extends Base implements StandardUsernamePasswordCredentials {
            UserPassword() {
                super(id);
            }

            @Override
            public String getUsername() {
                return user;
            }

            @Override
            public Secret getPassword() {
                return Secret.fromString(password);
            }
        }
        return new UserPassword();
    }
}
