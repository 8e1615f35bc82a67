// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/EnvVars.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package hudson;

import java.util.TreeMap;

public class EnvVars extends TreeMap<String, String> {
    public EnvVars() {}
}
