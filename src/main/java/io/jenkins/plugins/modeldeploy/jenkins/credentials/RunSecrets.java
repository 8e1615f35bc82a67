package io.jenkins.plugins.modeldeploy.jenkins.credentials;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.model.Run;
import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;

/**
 * Looks credentials up through the credentials API in the context of a run (so folder credentials and the run's
 * authentication apply) and records every secret in the mask before handing it out.
 */
public final class RunSecrets implements SecretSource {
    /** The user name sent with a secret-text registry token (registries check only the token). */
    public static final String TOKEN_USER = "token";

    private final Function<String, StandardCredentials> lookup;
    private final SecretMask mask;

    public RunSecrets(Run<?, ?> run, SecretMask mask) {
        this(id -> CredentialsProvider.findCredentialById(id, StandardCredentials.class, run), mask);
    }

    /** @param lookup the credential with an ID, or null */
    RunSecrets(Function<String, StandardCredentials> lookup, SecretMask mask) {
        this.lookup = lookup;
        this.mask = mask;
    }

    @Override
    public String kubeconfig(String field, String id) {
        StandardCredentials c = find(field, id);
        if (c instanceof FileCredentials file) {
            try (InputStream in = file.getContent()) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                mask.addKubeconfig(text);
                return text;
            } catch (IOException e) {
                throw new IllegalArgumentException(Messages.Credentials_unreadable(field, id, e.getMessage()), e);
            }
        }
        if (c instanceof StringCredentials text) {
            String value = text.getSecret().getPlainText();
            mask.addKubeconfig(value);
            return value;
        }
        throw wrongType(field, id, c, "a secret file holding a kubeconfig");
    }

    @Override
    public RegistryCredentials registry(String field, String id) {
        StandardCredentials c = find(field, id);
        if (c instanceof StringCredentials token) {
            String value = token.getSecret().getPlainText();
            mask.add(value, TOKEN_USER);
            return new RegistryCredentials(TOKEN_USER, value);
        }
        if (c instanceof StandardUsernamePasswordCredentials) {
            return usernamePassword(field, id);
        }
        throw wrongType(field, id, c, "username with password, or secret text (a token)");
    }

    @Override
    public RegistryCredentials usernamePassword(String field, String id) {
        StandardCredentials c = find(field, id);
        if (c instanceof StandardUsernamePasswordCredentials up) {
            String password = up.getPassword().getPlainText();
            mask.add(password, up.getUsername());
            return new RegistryCredentials(up.getUsername(), password);
        }
        throw wrongType(field, id, c, "username with password");
    }

    private StandardCredentials find(String field, String id) {
        StandardCredentials c = lookup.apply(id);
        if (c == null) {
            throw new IllegalArgumentException(Messages.Credentials_notFound(field, id));
        }
        return c;
    }

    private static IllegalArgumentException wrongType(String field, String id, StandardCredentials c, String expected) {
        return new IllegalArgumentException(
                Messages.Credentials_wrongType(field, id, c.getClass().getSimpleName(), expected));
    }
}
