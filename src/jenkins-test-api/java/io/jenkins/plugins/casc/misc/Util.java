// Signature-only (offline build: compiled, never run or packaged): io.jenkins.configuration-as-code:test-harness 2117.vc05a_0b_e6b_f4e (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/configuration-as-code-plugin tag 2117.vc05a_0b_e6b_f4e, test-harness/src/main/java/io/jenkins/plugins/casc/misc/Util.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
package io.jenkins.plugins.casc.misc;

import io.jenkins.plugins.casc.ConfigurationContext;
import io.jenkins.plugins.casc.model.CNode;
import io.jenkins.plugins.casc.model.Mapping;
import java.io.IOException;

public class Util {
    public static Mapping getUnclassifiedRoot(ConfigurationContext context) throws Exception {
        throw new UnsupportedOperationException("signature only");
    }

    public static String toYamlString(CNode rootNode) throws IOException {
        throw new UnsupportedOperationException("signature only");
    }
}
