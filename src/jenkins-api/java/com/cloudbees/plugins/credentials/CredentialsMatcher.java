// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:credentials 1511.v2e3cb_0008ef0 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/credentials-plugin master d96751bc (the newest commit in the mirror, after tag 1502.v5c95e620ddfe; tag 1511.v2e3cb_0008ef0 is not in it),
// src/main/java/com/cloudbees/plugins/credentials/CredentialsMatcher.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// The nested CQL interface is omitted.
package com.cloudbees.plugins.credentials;

import java.io.Serializable;

public interface CredentialsMatcher extends Serializable {
    boolean matches(Credentials item);
}
