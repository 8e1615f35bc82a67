// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/jenkins/util/SystemProperties.java.
// Semantics kept for tests: getBoolean(name, def) is def when the property is unset, else Boolean.parseBoolean of
// it (:291-297); the real class also reads the servlet context's init parameters, which the offline build has not.
package jenkins.util;

public class SystemProperties {
    private SystemProperties() {}

    public static boolean getBoolean(String name, boolean def) {
        String v = System.getProperty(name);
        return v == null ? def : Boolean.parseBoolean(v);
    }
}
