// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:junit 1421.v99cb_b_2577709 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/junit-plugin tag 1421.v99cb_b_2577709, src/main/java/hudson/tasks/junit/JUnitTask.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Every member omitted: the adapters only pass a JUnitResultArchiver as the task.
package hudson.tasks.junit;

public interface JUnitTask {}
