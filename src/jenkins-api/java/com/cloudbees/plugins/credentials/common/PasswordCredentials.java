// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:credentials 1405.vb_cda_74a_f8974 (bom-2.479.x 3850.vb_c5319efa_e29).
// Checked against jenkinsci/credentials-plugin tag 1405.vb_cda_74a_f8974, src/main/java/com/cloudbees/plugins/credentials/common/PasswordCredentials.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package com.cloudbees.plugins.credentials.common;

import com.cloudbees.plugins.credentials.Credentials;
import hudson.util.Secret;

public interface PasswordCredentials extends Credentials {
    Secret getPassword();
}
