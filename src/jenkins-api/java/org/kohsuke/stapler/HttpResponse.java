// Signature-only (offline build, never packaged): org.kohsuke.stapler:stapler 2050.v425108fd5089 (the version jenkins-core 2.541.3 manages).
// Checked against jenkinsci/stapler tag 2050.v425108fd5089, core/src/main/java/org/kohsuke/stapler/HttpResponse.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// generateResponse(StaplerRequest2, StaplerResponse2, Object) omitted: the adapters only return responses.
package org.kohsuke.stapler;

public interface HttpResponse {}
