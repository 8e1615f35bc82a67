// Signature-only (offline build, never packaged): org.kohsuke.stapler:stapler 2050.v425108fd5089 (the version
// jenkins-core 2.541.3 manages). Checked against jenkinsci/stapler tag 2050.v425108fd5089,
// core/src/main/java/org/kohsuke/stapler/Stapler.java.
// Semantics kept for tests: getCurrentResponse2() is the response of the request this thread serves, null outside
// a request (:1067-1069, a ThreadLocal set by Stapler for each request, :1100). Supertype and other members omitted.
package org.kohsuke.stapler;

public class Stapler {
    static ThreadLocal<StaplerResponse2> CURRENT_RESPONSE = new ThreadLocal<>();

    public static StaplerResponse2 getCurrentResponse2() {
        return CURRENT_RESPONSE.get();
    }
}
