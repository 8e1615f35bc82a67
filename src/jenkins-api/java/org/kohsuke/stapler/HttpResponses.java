// Signature-only (offline build, never packaged): org.kohsuke.stapler:stapler 1903.1905.ve5a_f469356f0 (the version jenkins-core 2.479.3 manages).
// Checked against jenkinsci/stapler tag 1903.1905.ve5a_f469356f0, core/src/main/java/org/kohsuke/stapler/HttpResponses.java.
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
