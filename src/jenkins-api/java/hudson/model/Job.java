// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Job.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes omitted.
package hudson.model;

public abstract class Job<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> {
    protected Job(ItemGroup parent, String name) {}

    public RunT getBuildByNumber(int n) {
        throw new UnsupportedOperationException("signature only");
    }
}
