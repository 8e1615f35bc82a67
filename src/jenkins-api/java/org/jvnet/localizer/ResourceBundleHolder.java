// Signature-only (offline build, never packaged): org.jvnet.localizer:localizer 1.31 (the version jenkins-core 2.541.3 manages, as 2.479.3 did).
// Checked against kohsuke/localizer at commits 06abcb7c/0af446e7 (no tag checked), lib/src/main/java/org/jvnet/localizer/ResourceBundleHolder.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// The public (deprecated) constructor is private here; get(Class) and format(String, Object...) are what the
// localizer-generated Messages classes call.
package org.jvnet.localizer;

import java.io.Serializable;

@SuppressWarnings("rawtypes") // as the real class: raw Class
public final class ResourceBundleHolder implements Serializable {
    public final Class owner;

    private ResourceBundleHolder(Class owner) {
        this.owner = owner;
    }

    public static synchronized ResourceBundleHolder get(Class clazz) {
        return new ResourceBundleHolder(clazz);
    }

    // As the real one (ResourceBundleHolder.java format/getFormatString): the bundle named after the owner class, read
    // from its class loader, formatted with java.text.MessageFormat; the locale here is always the root locale (the
    // real one asks LocaleProvider).
    public String format(String key, Object... args) {
        java.util.ResourceBundle bundle = java.util.ResourceBundle.getBundle(owner.getName(), java.util.Locale.ROOT,
                owner.getClassLoader());
        return new java.text.MessageFormat(bundle.getString(key), java.util.Locale.ROOT).format(args);
    }
}
