// Signature-only (offline build, never packaged): org.jenkins-ci.main:remoting 3352.v17a_fb_4b_2773f (the version
// jenkins-core 2.541.3 depends on). Checked against jenkinsci/remoting tag 3352.v17a_fb_4b_2773f,
// src/main/java/hudson/remoting/VirtualChannel.java.
// Declares only the member the adapters use (export, :123); call/callAsync/close/join/syncLocalIO omitted.
package hudson.remoting;

public interface VirtualChannel {
    <T> T export(Class<T> type, T instance);
}
