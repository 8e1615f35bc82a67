// Signature-only (offline build: compiled, never run or packaged): io.jenkins:configuration-as-code 2117.vc05a_0b_e6b_f4e (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/configuration-as-code-plugin tag 2117.vc05a_0b_e6b_f4e, plugin/src/main/java/io/jenkins/plugins/casc/ConfigurationContext.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Only the constructor the tests use; the registry's lookups are omitted.
package io.jenkins.plugins.casc;

public class ConfigurationContext implements ConfiguratorRegistry {
    public ConfigurationContext(ConfiguratorRegistry registry) {}
}
