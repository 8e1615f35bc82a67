// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.main:jenkins-test-harness 2578.v44660312fd37 (the plugin parent POM 6.2221.va_045130417c9 pins it).
// Checked against jenkinsci/jenkins-test-harness tag 2578.v44660312fd37, src/main/java/org/jvnet/hudson/test/JenkinsRule.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Supertype RootAction omitted; @NonNull annotations omitted.
package org.jvnet.hudson.test;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Item;
import hudson.model.Job;
import hudson.model.Queue;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TopLevelItem;
import hudson.security.SecurityRealm;
import hudson.slaves.DumbSlave;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import jenkins.model.Jenkins;
import org.junit.rules.MethodRule;
import org.junit.rules.TestRule;
import org.junit.runner.Description;
import org.junit.runners.model.FrameworkMethod;
import org.junit.runners.model.Statement;
import jenkins.model.ParameterizedJobMixIn;

public class JenkinsRule implements TestRule, MethodRule {
    public Jenkins jenkins;

    public JenkinsRule() {}

    @Override
    public Statement apply(Statement base, Description description) {
        throw new UnsupportedOperationException("signature only");
    }

    @Override
    public Statement apply(Statement base, FrameworkMethod method, Object target) {
        throw new UnsupportedOperationException("signature only");
    }

    public <T extends TopLevelItem> T createProject(Class<T> type, String name) throws IOException {
        throw new UnsupportedOperationException("signature only");
    }

    public FreeStyleProject createFreeStyleProject() throws IOException {
        throw new UnsupportedOperationException("signature only");
    }

    public FreeStyleProject createFreeStyleProject(String name) throws IOException {
        throw new UnsupportedOperationException("signature only");
    }

    public DummySecurityRealm createDummySecurityRealm() {
        throw new UnsupportedOperationException("signature only");
    }

    /** Real supertype: AbstractPasswordBasedSecurityRealm (not copied), a SecurityRealm. */
    public static class DummySecurityRealm extends SecurityRealm {
        DummySecurityRealm() {}

        // JenkinsRule.java:1016
        public void addGroups(String username, String... groups) {
            throw new UnsupportedOperationException("signature only");
        }
    }

    // JenkinsRule.java:1110
    public DumbSlave createOnlineSlave() throws Exception {
        throw new UnsupportedOperationException("signature only");
    }

    public URL getURL() throws IOException {
        throw new UnsupportedOperationException("signature only");
    }

    public void configRoundtrip() throws Exception {
        throw new UnsupportedOperationException("signature only");
    }

    public <P extends Item> P configRoundtrip(P job) throws Exception {
        throw new UnsupportedOperationException("signature only");
    }

    public <R extends Run> R assertBuildStatus(Result status, R r) throws Exception {
        throw new UnsupportedOperationException("signature only");
    }

    public <J extends Job<J, R> & ParameterizedJobMixIn.ParameterizedJob<J, R>, R extends Run<J, R> & Queue.Executable>
            R buildAndAssertSuccess(J job) throws Exception {
        throw new UnsupportedOperationException("signature only");
    }

    public FreeStyleBuild buildAndAssertSuccess(FreeStyleProject job) throws Exception {
        throw new UnsupportedOperationException("signature only");
    }

    public void assertLogContains(String substring, Run run) throws IOException {
        throw new UnsupportedOperationException("signature only");
    }

    public void assertLogNotContains(String substring, Run run) throws IOException {
        throw new UnsupportedOperationException("signature only");
    }

    public <R extends Run<?, ?>> R waitForCompletion(R r) throws InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }

    public <R extends Run<?, ?>> R waitForMessage(String message, R r) throws IOException, InterruptedException {
        throw new UnsupportedOperationException("signature only");
    }

    public void assertEqualDataBoundBeans(Object lhs, Object rhs)
            throws InvocationTargetException, NoSuchMethodException, IllegalAccessException {
        throw new UnsupportedOperationException("signature only");
    }

    public WebClient createWebClient() {
        throw new UnsupportedOperationException("signature only");
    }

    public class WebClient extends org.htmlunit.WebClient {
        WebClient() {}

        public WebClient login(String username) throws Exception {
            throw new UnsupportedOperationException("signature only");
        }

        public void setThrowExceptionOnFailingStatusCode(boolean enabled) {
            throw new UnsupportedOperationException("signature only");
        }

        public void setRedirectEnabled(boolean enabled) {
            throw new UnsupportedOperationException("signature only");
        }

        public URL createCrumbedUrl(String relativePath) throws IOException {
            throw new UnsupportedOperationException("signature only");
        }
    }
}
