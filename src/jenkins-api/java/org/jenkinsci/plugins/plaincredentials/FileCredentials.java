// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:plain-credentials 183.va_de8f1dd5a_2b_ (bom-2.479.x 3850.vb_c5319efa_e29).
// Checked against jenkinsci/plain-credentials-plugin tag 183.va_de8f1dd5a_2b_, src/main/java/org/jenkinsci/plugins/plaincredentials/FileCredentials.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// getFileName() and @NameWith omitted.
package org.jenkinsci.plugins.plaincredentials;

import com.cloudbees.plugins.credentials.common.StandardCredentials;
import java.io.IOException;
import java.io.InputStream;

public interface FileCredentials extends StandardCredentials {
    InputStream getContent() throws IOException;
}
