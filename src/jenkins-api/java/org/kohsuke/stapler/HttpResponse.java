// Signature-only (offline build, never packaged): org.kohsuke.stapler:stapler 1903.1905.ve5a_f469356f0 (the version jenkins-core 2.479.3 manages).
// Checked against jenkinsci/stapler tag 1903.1905.ve5a_f469356f0, core/src/main/java/org/kohsuke/stapler/HttpResponse.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// generateResponse(StaplerRequest2, StaplerResponse2, Object) omitted: the adapters only return responses.
package org.kohsuke.stapler;

public interface HttpResponse {}
