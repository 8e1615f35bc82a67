// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Result.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertype CustomExportedBean omitted.
package hudson.model;

import java.io.Serializable;

public final class Result implements Serializable {
    public static final Result SUCCESS = new Result();

    private Result() {}
}
