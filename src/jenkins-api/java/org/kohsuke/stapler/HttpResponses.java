// Signature-only (offline build, never packaged): org.kohsuke.stapler:stapler 2050.v425108fd5089 (the version jenkins-core 2.541.3 manages).
// Checked against jenkinsci/stapler tag 2050.v425108fd5089, core/src/main/java/org/kohsuke/stapler/HttpResponses.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package org.kohsuke.stapler;

public class HttpResponses {
    public abstract static class HttpResponseException extends RuntimeException implements HttpResponse {
        public HttpResponseException() {}
    }

    public static HttpResponseException errorWithoutStack(final int code, final String errorMessage) {
        throw new UnsupportedOperationException("signature only");
    }

    public static HttpResponse redirectToDot() {
        throw new UnsupportedOperationException("signature only");
    }

    public static HttpResponse html(final String literalHtml) {
        return new HttpResponse() {}; // the real one writes literalHtml as text/html when Stapler calls it
    }
}
