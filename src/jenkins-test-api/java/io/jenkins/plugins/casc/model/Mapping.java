// Signature-only (offline build: compiled, never run or packaged): io.jenkins:configuration-as-code 2117.vc05a_0b_e6b_f4e (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/configuration-as-code-plugin tag 2117.vc05a_0b_e6b_f4e, plugin/src/main/java/io/jenkins/plugins/casc/model/Mapping.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// A HashMap of nodes as the real class; its own members omitted (the tests use Map.get).
package io.jenkins.plugins.casc.model;

import java.util.HashMap;

public final class Mapping extends HashMap<String, CNode> implements CNode {
    public Mapping() {}
}
