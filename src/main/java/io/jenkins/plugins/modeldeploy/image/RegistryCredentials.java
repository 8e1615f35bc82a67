package io.jenkins.plugins.modeldeploy.image;

/** A user name and password (or token as password) for a registry. {@link #toString()} never shows the secret. */
public record RegistryCredentials(String username, String password) {
    @Override
    public String toString() {
        return "RegistryCredentials[username=" + username + ", password=****]";
    }
}
