// Signature-only (offline build, never packaged): org.jvnet.localizer:localizer 1.31 (the version jenkins-core 2.541.3 manages, as 2.479.3 did).
// Checked against kohsuke/localizer at commits 06abcb7c/0af446e7 (no tag checked), lib/src/main/java/org/jvnet/localizer/Localizable.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// toString() formats the message, as the real one does (in the root locale here).
package org.jvnet.localizer;

import java.io.Serializable;

public class Localizable implements Serializable {
    private final ResourceBundleHolder holder;
    private final String key;
    private final Object[] args;

    public Localizable(ResourceBundleHolder holder, String key, Object... args) {
        this.holder = holder;
        this.key = key;
        this.args = args;
    }

    // As the real one (Localizable.java toString() → toString(LocaleProvider.getLocale())): the formatted message.
    @Override
    public String toString() {
        return holder.format(key, args);
    }
}
