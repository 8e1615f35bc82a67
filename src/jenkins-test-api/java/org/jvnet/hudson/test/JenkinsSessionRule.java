// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.main:jenkins-test-harness 2578.v44660312fd37 (the plugin parent POM 6.2221.va_045130417c9 pins it).
// Checked against jenkinsci/jenkins-test-harness tag 2578.v44660312fd37, src/main/java/org/jvnet/hudson/test/JenkinsSessionRule.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Step's super-interface JenkinsSessionFixture.Step (fixtures/JenkinsSessionFixture.java:107) declares run(JenkinsRule);
// it is declared on Step itself here.
package org.jvnet.hudson.test;

import org.junit.rules.TestRule;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;

public class JenkinsSessionRule implements TestRule {
    public JenkinsSessionRule() {}

    @Override
    public Statement apply(Statement base, Description description) {
        throw new UnsupportedOperationException("signature only");
    }

    public interface Step {
        void run(JenkinsRule r) throws Throwable;
    }

    public void then(Step s) throws Throwable {
        throw new UnsupportedOperationException("signature only");
    }
}
