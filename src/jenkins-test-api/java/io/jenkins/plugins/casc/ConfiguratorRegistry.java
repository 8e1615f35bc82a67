// Signature-only (offline build: compiled, never run or packaged): io.jenkins:configuration-as-code 2117.vc05a_0b_e6b_f4e (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/configuration-as-code-plugin tag 2117.vc05a_0b_e6b_f4e, plugin/src/main/java/io/jenkins/plugins/casc/ConfiguratorRegistry.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// The lookup methods omitted.
package io.jenkins.plugins.casc;

public interface ConfiguratorRegistry {
    static ConfiguratorRegistry get() {
        throw new UnsupportedOperationException("signature only");
    }
}
