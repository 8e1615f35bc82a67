// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.plugins:plain-credentials 199.v9f8e1f741799 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/plain-credentials-plugin tag 199.v9f8e1f741799, src/main/java/org/jenkinsci/plugins/plaincredentials/impl/FileCredentialsImpl.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Supertype BaseStandardCredentials omitted (its getId() and getDescriptor() are declared here).
package org.jenkinsci.plugins.plaincredentials.impl;

import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.CredentialsScope;
import hudson.model.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import com.cloudbees.plugins.credentials.SecretBytes;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;

public final class FileCredentialsImpl implements FileCredentials {
    public FileCredentialsImpl(CredentialsScope scope, String id, String description, String fileName,
            SecretBytes secretBytes) {}

    @Override
    public InputStream getContent() throws IOException {
        throw new UnsupportedOperationException("signature only");
    }

    @Override
    public String getId() {
        throw new UnsupportedOperationException("signature only");
    }

    @Override
    public Descriptor<Credentials> getDescriptor() {
        throw new UnsupportedOperationException("signature only");
    }
}
