// Signature-only (offline build, never packaged): org.jvnet.localizer:localizer 1.31 (the version jenkins-core 2.479.3 manages).
// Checked against kohsuke/localizer at commits 06abcb7c/0af446e7 (no tag checked), lib/src/main/java/org/jvnet/localizer/Localizable.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// toString() returns the key here (the real one formats the message).
package org.jvnet.localizer;

import java.io.Serializable;

public class Localizable implements Serializable {
    private final String key;

    public Localizable(ResourceBundleHolder holder, String key, Object... args) {
        this.key = key;
    }

    @Override
    public String toString() {
        return key;
    }
}
