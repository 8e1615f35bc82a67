// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/FreeStyleBuild.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Superclass Build not copied (AbstractBuild directly).
package hudson.model;

import java.io.IOException;

public class FreeStyleBuild extends AbstractBuild<FreeStyleProject, FreeStyleBuild> {
    public FreeStyleBuild(FreeStyleProject project) throws IOException {
        super(project);
    }
}
