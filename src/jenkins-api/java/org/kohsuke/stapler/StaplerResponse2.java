// Signature-only (offline build, never packaged): org.kohsuke.stapler:stapler 2050.v425108fd5089 (the version
// jenkins-core 2.541.3 manages). Checked against jenkinsci/stapler tag 2050.v425108fd5089,
// core/src/main/java/org/kohsuke/stapler/StaplerResponse2.java.
// The real interface extends jakarta.servlet.http.HttpServletResponse, whose setHeader(String, String) is the one
// member the adapters use; it is declared here directly instead (the servlet API is not copied).
package org.kohsuke.stapler;

public interface StaplerResponse2 {
    void setHeader(String name, String value);
}
