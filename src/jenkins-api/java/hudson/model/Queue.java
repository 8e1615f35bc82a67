// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Queue.java.
// Declares only the nested types the JenkinsRule tests' bounds need (JenkinsRule.buildAndAssertSuccess): Task (:2009),
// FlyweightTask (:1976) and Executable (:2203). Supertypes (ResourceSpec, ModelObject, Runnable, WithConsoleUrl, …),
// every member and the class's own supertype and members omitted.
package hudson.model;

public class Queue {
    private Queue() {}

    public interface Task {}

    public interface FlyweightTask extends Task {}

    public interface Executable {}
}
