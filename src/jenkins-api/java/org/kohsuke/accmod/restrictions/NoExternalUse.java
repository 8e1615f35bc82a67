// Signature-only (offline build, never packaged): org.kohsuke:access-modifier-annotation 1.35 (the version jenkins-core
// 2.541.3 manages: its pom.xml access-modifier.version). Checked against jenkinsci/lib-access-modifier tag access-modifier-1.35,
// access-modifier-annotation/src/main/java/org/kohsuke/accmod/restrictions/NoExternalUse.java. Used by the localizer-generated Messages classes.
// Superclass DoNotUse omitted (AccessRestriction directly); its error(...) override is omitted.
package org.kohsuke.accmod.restrictions;

import org.kohsuke.accmod.AccessRestriction;

public class NoExternalUse extends AccessRestriction {
    public NoExternalUse() {}
}
