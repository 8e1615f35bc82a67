// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Run.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Other supertypes omitted.
package hudson.model;

import hudson.security.AccessControlled;
import java.io.File;
import java.io.IOException;

public abstract class Run<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> extends Actionable
        implements AccessControlled {
    protected Run(JobT job) throws IOException {}

    public JobT getParent() {
        throw new UnsupportedOperationException("signature only");
    }

    public File getRootDir() {
        throw new UnsupportedOperationException("signature only");
    }

    public RunT getPreviousBuild() {
        throw new UnsupportedOperationException("signature only");
    }

    public int getNumber() {
        throw new UnsupportedOperationException("signature only");
    }

    public String getUrl() {
        throw new UnsupportedOperationException("signature only");
    }

    public String getExternalizableId() {
        throw new UnsupportedOperationException("signature only");
    }

    public void reload() throws IOException {
        throw new UnsupportedOperationException("signature only");
    }

    public synchronized void save() throws IOException {
        throw new UnsupportedOperationException("signature only");
    }

    public boolean isBuilding() {
        throw new UnsupportedOperationException("signature only");
    }
}
