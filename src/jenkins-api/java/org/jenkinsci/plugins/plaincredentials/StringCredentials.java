// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:plain-credentials 199.v9f8e1f741799 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/plain-credentials-plugin tag 199.v9f8e1f741799, src/main/java/org/jenkinsci/plugins/plaincredentials/StringCredentials.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// @NameWith omitted.
package org.jenkinsci.plugins.plaincredentials;

import com.cloudbees.plugins.credentials.common.StandardCredentials;
import hudson.util.Secret;

public interface StringCredentials extends StandardCredentials {
    Secret getSecret();
}
