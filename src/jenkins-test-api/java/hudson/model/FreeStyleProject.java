// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/FreeStyleProject.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Superclass Project (core/src/main/java/hudson/model/Project.java) not copied: its getBuildersList() is declared here.
package hudson.model;

import hudson.tasks.Builder;
import hudson.util.DescribableList;

public class FreeStyleProject extends AbstractProject<FreeStyleProject, FreeStyleBuild> implements TopLevelItem {
    public FreeStyleProject(ItemGroup parent, String name) {
        super(parent, name);
    }

    public DescribableList<Builder, Descriptor<Builder>> getBuildersList() {
        throw new UnsupportedOperationException("signature only");
    }
}
