package io.jenkins.plugins.modeldeploy.jenkins;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;
import org.jvnet.localizer.Localizable;
import org.jvnet.localizer.ResourceBundleHolder;

/**
 * The user-facing strings of the adapters, from {@code Messages.properties} next to this class. Hand-written because
 * the localizer Maven plugin (which generates such a class in plugins built on the plugin parent POM) is not
 * available to the offline build; the keys follow its conventions ({@code MessageFormat}, so a literal apostrophe
 * is written twice), so the file can be handed to it later.
 */
public final class Messages {
    private static final String BUNDLE = "io.jenkins.plugins.modeldeploy.jenkins.Messages";

    private Messages() {}

    /** The message {@code key} formatted with {@code args}; an unknown key fails loudly (tests check every key). */
    public static String format(String key, Object... args) {
        String pattern = ResourceBundle.getBundle(BUNDLE, Locale.ROOT, Messages.class.getClassLoader()).getString(key);
        return new MessageFormat(pattern, Locale.ROOT).format(args);
    }

    /** For Jenkins APIs that take a {@link Localizable} (permission titles and descriptions). */
    public static Localizable localizable(String key) {
        return new Localizable(ResourceBundleHolder.get(Messages.class), key);
    }
}
