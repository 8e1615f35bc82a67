// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.main:jenkins-test-harness 2578.v44660312fd37 (the plugin parent POM 6.2221.va_045130417c9 pins it).
// Checked against jenkinsci/jenkins-test-harness tag 2578.v44660312fd37, src/main/java/org/jvnet/hudson/test/MockAuthorizationStrategy.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// AuthorizationStrategy's abstract members are not copied, so none is overridden here.
package org.jvnet.hudson.test;

import hudson.security.AuthorizationStrategy;
import hudson.security.Permission;

public class MockAuthorizationStrategy extends AuthorizationStrategy {
    public MockAuthorizationStrategy() {}

    public Grant grant(Permission... permissions) {
        throw new UnsupportedOperationException("signature only");
    }

    public class Grant {
        Grant() {}

        public GrantOn everywhere() {
            throw new UnsupportedOperationException("signature only");
        }

        public class GrantOn {
            GrantOn() {}

            public MockAuthorizationStrategy to(String... sids) {
                throw new UnsupportedOperationException("signature only");
            }
        }
    }
}
