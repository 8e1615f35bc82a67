// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:credentials 1511.v2e3cb_0008ef0 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/credentials-plugin at the stored snapshot d96751bc (the 1511 release commit is not in it), src/main/java/com/cloudbees/plugins/credentials/common/UsernameCredentials.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// @NameWith omitted.
package com.cloudbees.plugins.credentials.common;

import com.cloudbees.plugins.credentials.Credentials;

public interface UsernameCredentials extends Credentials {
    String getUsername();
}
