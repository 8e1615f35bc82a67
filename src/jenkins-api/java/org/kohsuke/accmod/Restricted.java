// Signature-only (offline build, never packaged): org.kohsuke:access-modifier-annotation 1.35 (the version jenkins-core
// 2.541.3 manages: its pom.xml access-modifier.version). Checked against jenkinsci/lib-access-modifier tag access-modifier-1.35,
// access-modifier-annotation/src/main/java/org/kohsuke/accmod/Restricted.java. Used by the localizer-generated Messages classes.
// The meta-annotation @Indexed (annotation-indexer) is omitted.
package org.kohsuke.accmod;

import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;

@Retention(RUNTIME)
@Documented
public @interface Restricted {
    Class<? extends AccessRestriction>[] value();
}
