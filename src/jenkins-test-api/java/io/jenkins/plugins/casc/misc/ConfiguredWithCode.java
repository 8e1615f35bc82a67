// Signature-only (offline build: compiled, never run or packaged): io.jenkins.configuration-as-code:test-harness 2117.vc05a_0b_e6b_f4e (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/configuration-as-code-plugin tag 2117.vc05a_0b_e6b_f4e, test-harness/src/main/java/io/jenkins/plugins/casc/misc/ConfiguredWithCode.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
package io.jenkins.plugins.casc.misc;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import org.junit.Test;

@Target({METHOD, FIELD})
@Retention(RUNTIME)
public @interface ConfiguredWithCode {
    String[] value();

    Class<? extends Throwable> expected() default Test.None.class;

    String message() default "";
}
