// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/TaskListener.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Real supertype is jenkins.security.SerializableOnlyOverRemoting, which extends Serializable; declared as Serializable here.
package hudson.model;

import java.io.PrintStream;
import java.io.Serializable;

public interface TaskListener extends Serializable {
    PrintStream getLogger();
}
