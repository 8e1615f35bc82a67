// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:credentials 1405.vb_cda_74a_f8974 (bom-2.479.x 3850.vb_c5319efa_e29).
// Checked against jenkinsci/credentials-plugin tag 1405.vb_cda_74a_f8974, src/main/java/com/cloudbees/plugins/credentials/Credentials.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// getScope() and the default methods omitted.
package com.cloudbees.plugins.credentials;

import hudson.ExtensionPoint;
import hudson.model.Describable;
import java.io.Serializable;

public interface Credentials extends Describable<Credentials>, Serializable, ExtensionPoint {}
