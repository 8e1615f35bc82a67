// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/Extension.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Meta-annotations @Indexable and @Documented omitted (they change nothing at compile time).
package hudson;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.METHOD})
public @interface Extension {
    double ordinal() default 0;

    @Deprecated
    boolean optional() default false;
}
