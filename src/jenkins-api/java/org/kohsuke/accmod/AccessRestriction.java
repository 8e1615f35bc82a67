// Signature-only (offline build, never packaged): org.kohsuke:access-modifier-annotation 1.35 (the version jenkins-core
// 2.541.3 manages: its pom.xml access-modifier.version). Checked against jenkinsci/lib-access-modifier tag access-modifier-1.35,
// access-modifier-annotation/src/main/java/org/kohsuke/accmod/AccessRestriction.java. Used by the localizer-generated Messages classes.
// Its abstract members (usedAsSuperType, invoked, …) and NONE are omitted, so subclasses need not implement them.
package org.kohsuke.accmod;

public abstract class AccessRestriction {
    protected AccessRestriction() {}
}
