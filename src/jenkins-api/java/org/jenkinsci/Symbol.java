// Signature-only (offline build, never packaged): org.jenkins-ci:symbol-annotation 1.25 (the version jenkins-core 2.541.3 manages).
// Checked against jenkinsci/lib-symbol-annotation tag symbol-annotation-1.25, src/main/java/org/jenkinsci/Symbol.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// @Indexed and @Documented omitted.
package org.jenkinsci;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Symbol {
    String[] value();
}
