// Signature-only (offline build, never packaged): org.kohsuke.stapler:stapler 2050.v425108fd5089 (the version jenkins-core 2.541.3 manages).
// Checked against jenkinsci/stapler tag 2050.v425108fd5089, core/src/main/java/org/kohsuke/stapler/QueryParameter.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// @Documented/@InjectedParameter meta-annotations omitted.
package org.kohsuke.stapler;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface QueryParameter {
    String value() default "";

    boolean required() default false;

    boolean fixEmpty() default false;
}
