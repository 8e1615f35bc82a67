// Signature-only (offline build, never packaged): org.kohsuke.stapler:stapler 2050.v425108fd5089 (the version jenkins-core 2.541.3 manages).
// Checked against jenkinsci/stapler tag 2050.v425108fd5089, core/src/main/java/org/kohsuke/stapler/StaplerRequest2.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertype jakarta.servlet.http.HttpServletRequest and every other member omitted. What matters to tests of
// configure(): the real bindJSON(Object, JSONObject) calls the setter of each key PRESENT in the JSON and rethrows a
// setter's RuntimeException unchanged (RequestImpl.java:637-667); test doubles of this interface must do the same.
package org.kohsuke.stapler;

import net.sf.json.JSONObject;

public interface StaplerRequest2 {
    void bindJSON(Object bean, JSONObject src);
}
