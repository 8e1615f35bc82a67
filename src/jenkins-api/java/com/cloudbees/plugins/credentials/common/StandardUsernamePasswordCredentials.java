// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:credentials 1405.vb_cda_74a_f8974 (bom-2.479.x 3850.vb_c5319efa_e29).
// Checked against jenkinsci/credentials-plugin tag 1405.vb_cda_74a_f8974, src/main/java/com/cloudbees/plugins/credentials/common/StandardUsernamePasswordCredentials.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// @Recommended and @NameWith omitted.
package com.cloudbees.plugins.credentials.common;

public interface StandardUsernamePasswordCredentials extends StandardUsernameCredentials, UsernamePasswordCredentials {}
