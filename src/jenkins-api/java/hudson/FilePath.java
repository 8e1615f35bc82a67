// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/FilePath.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertype SerializableOnlyOverRemoting omitted.
package hudson;

import java.io.File;
import java.io.IOException;

public final class FilePath {
    public FilePath(File localPath) {
        throw new UnsupportedOperationException("signature only");
    }

    public FilePath child(String relOrAbsolute) {
        throw new UnsupportedOperationException("signature only");
    }

    public String getRemote() {
        throw new UnsupportedOperationException("signature only");
    }

    public boolean isRemote() {
        throw new UnsupportedOperationException("signature only");
    }

    public boolean exists() throws IOException, InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }

    public boolean isDirectory() throws IOException, InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }

    public int copyRecursiveTo(FilePath target) throws IOException, InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }
}
