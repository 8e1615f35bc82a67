// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.479.3.
// Checked against jenkinsci/jenkins tag jenkins-2.479.3, core/src/main/java/hudson/model/Job.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Only named as Run's type parameter; supertypes omitted. The package-private constructor stands in for Job(ItemGroup, String), so no caller outside hudson.model sees it.
package hudson.model;

public abstract class Job<JobT extends Job<JobT, RunT>, RunT extends Run<JobT, RunT>> {
    Job() {}
}
