package io.jenkins.plugins.modeldeploy.jenkins.credentials;

import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;

/**
 * Secrets by credential ID for one build. Every value returned is also added to the build's {@link SecretMask}.
 * Failures are {@link IllegalArgumentException}s whose message names the option ({@code field}) and the ID.
 */
public interface SecretSource {
    /** A kubeconfig from a secret file (or secret text) credential. */
    String kubeconfig(String field, String id);

    /** Registry credentials from username/password, or from a secret-text token. */
    RegistryCredentials registry(String field, String id);

    /** RabbitMQ user and password from a username/password credential. */
    RegistryCredentials usernamePassword(String field, String id);
}
