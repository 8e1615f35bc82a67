// Signature-only (offline build: compiled, never run or packaged): io.jenkins.configuration-as-code:test-harness 2117.vc05a_0b_e6b_f4e (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/configuration-as-code-plugin tag 2117.vc05a_0b_e6b_f4e, test-harness/src/main/java/io/jenkins/plugins/casc/misc/JenkinsConfiguredWithCodeRule.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Real supertype: JenkinsConfiguredRule (test-harness/…/misc/JenkinsConfiguredRule.java), itself a JenkinsRule;
// the intermediate class is not copied. Its before() (applies @ConfiguredWithCode) is inherited behaviour only.
package io.jenkins.plugins.casc.misc;

import org.jvnet.hudson.test.JenkinsRule;

public class JenkinsConfiguredWithCodeRule extends JenkinsRule {
    public JenkinsConfiguredWithCodeRule() {}
}
