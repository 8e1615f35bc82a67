// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:credentials 1405.vb_cda_74a_f8974 (bom-2.479.x 3850.vb_c5319efa_e29).
// Checked against jenkinsci/credentials-plugin tag 1405.vb_cda_74a_f8974, src/main/java/com/cloudbees/plugins/credentials/CredentialsProvider.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes Descriptor<CredentialsProvider>, ExtensionPoint, Describable omitted; only the static lookup is used.
package com.cloudbees.plugins.credentials;

import com.cloudbees.plugins.credentials.common.IdCredentials;
import hudson.model.Run;

public abstract class CredentialsProvider {
    protected CredentialsProvider() {}

    public static <C extends IdCredentials> C findCredentialById(String id, Class<C> type, Run<?, ?> run) {
        throw new UnsupportedOperationException("signature only");
    }
}
