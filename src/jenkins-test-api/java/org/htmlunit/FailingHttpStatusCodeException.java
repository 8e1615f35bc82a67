// Signature-only (offline build: compiled, never run or packaged): org.htmlunit:htmlunit 5.2.0, as org.jenkins-ci.main:jenkins-test-harness-htmlunit 234.vd12a_f49297c1 shades it (the
// version jenkins-test-harness 2578.v44660312fd37 depends on; its pom at the newest stored commit 915dc55 names htmlunit 5.2.0).
// Checked against HtmlUnit/htmlunit tag 5.2.0, src/main/java/org/htmlunit/FailingHttpStatusCodeException.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
package org.htmlunit;

public class FailingHttpStatusCodeException extends RuntimeException {
    FailingHttpStatusCodeException() {}

    public int getStatusCode() {
        throw new UnsupportedOperationException("signature only");
    }
}
