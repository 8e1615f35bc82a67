// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/queue/QueueTaskFuture.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// R's bound Queue.Executable omitted (Queue not copied).
package hudson.model.queue;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

public interface QueueTaskFuture<R> extends Future<R> {
    Future<R> getStartCondition();

    R waitForStart() throws InterruptedException, ExecutionException;
}
