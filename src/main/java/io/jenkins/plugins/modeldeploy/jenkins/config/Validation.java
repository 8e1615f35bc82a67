package io.jenkins.plugins.modeldeploy.jenkins.config;

import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.abtest.LabelMatchers;
import io.jenkins.plugins.modeldeploy.event.AmqpSettings;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks of option values, shared by the {@code doCheck…} form validation and the steps (which run the same checks
 * when a Jenkinsfile binds the values, so a typo fails before anything is built). Each returns the problem, naming
 * the field, or empty when the value is fine. Empty optional values are fine unless a method says otherwise.
 */
public final class Validation {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern CREDENTIALS_ID = Pattern.compile("[A-Za-z0-9_.:@-]+");
    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9.-]+(:\\d+)?(/[a-z0-9._/-]+)?");

    private Validation() {}

    /** A Kubernetes-style name (cluster name, namespace, model version): a DNS-1123 label. */
    public static Optional<String> dnsLabel(String field, String value, boolean required) {
        if (blank(value)) {
            return required ? Optional.of(Messages.Validation_required(field)) : Optional.empty();
        }
        if (value.length() > 63 || !DNS_LABEL.matcher(value).matches()) {
            return Optional.of(Messages.Validation_dnsLabel(field, value));
        }
        return Optional.empty();
    }

    public static Optional<String> credentialsId(String field, String value) {
        if (blank(value)) {
            return Optional.empty();
        }
        return CREDENTIALS_ID.matcher(value).matches()
                ? Optional.empty()
                : Optional.of(Messages.Validation_credentialsId(field, value));
    }

    public static Optional<String> duration(String field, String value, boolean required) {
        if (blank(value)) {
            return required ? Optional.of(Messages.Validation_required(field)) : Optional.empty();
        }
        try {
            Durations.parsePositive(value, field);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** A duration that may be zero (e.g. how long to keep a replaced version: 0 scales it down at once). */
    public static Optional<String> durationOrZero(String field, String value) {
        if (blank(value)) {
            return Optional.empty();
        }
        try {
            if (Durations.parse(value, field).isNegative()) {
                return Optional.of(Messages.Validation_negativeDuration(field, value));
            }
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** An {@code http(s)://} URL such as a Prometheus server. */
    public static Optional<String> httpUrl(String field, String value) {
        if (blank(value)) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(value.trim());
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return Optional.empty();
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        return Optional.of(Messages.Validation_httpUrl(field, value));
    }

    /** PromQL label matchers such as {@code cluster="prod",job="traefik"} (see {@link LabelMatchers#parse}). */
    public static Optional<String> labelMatchers(String field, String value) {
        try {
            LabelMatchers.parse(field, value);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** A registry and optional repository path without a scheme, e.g. {@code registry.example.com:5000/models}. */
    public static Optional<String> registry(String field, String value, boolean required) {
        if (blank(value)) {
            return required ? Optional.of(Messages.Validation_required(field)) : Optional.empty();
        }
        return REGISTRY.matcher(value.trim()).matches()
                ? Optional.empty()
                : Optional.of(Messages.Validation_registry(field, value));
    }

    /** An {@code amqp://} URI; credentials belong in a credential, never in the URI that is stored and shown. */
    public static Optional<String> amqpUri(String field, String value) {
        if (blank(value)) {
            return Optional.empty();
        }
        try {
            AmqpSettings.parse(value.trim());
        } catch (IllegalArgumentException e) {
            return Optional.of(Messages.Validation_amqpUri(field, e.getMessage()));
        }
        try {
            if (new URI(value.trim()).getRawUserInfo() != null) {
                return Optional.of(Messages.Validation_amqpUserInfo(field));
            }
        } catch (URISyntaxException e) {
            return Optional.of(Messages.Validation_amqpUri(field, e.getReason()));
        }
        return Optional.empty();
    }

    /** A path relative to the workspace that stays inside it. */
    public static Optional<String> relativePath(String field, String value) {
        if (blank(value)) {
            return Optional.of(Messages.Validation_required(field));
        }
        try {
            Path path = Path.of(value);
            if (path.isAbsolute() || path.normalize().startsWith("..")) {
                return Optional.of(Messages.Validation_relativePath(field, value));
            }
            return Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.of(Messages.Validation_relativePath(field, value));
        }
    }

    public static Optional<String> range(String field, double value, double min, double max) {
        if (Double.isNaN(value) || value < min || value > max) {
            return Optional.of(Messages.Validation_range(field, fmt(value), fmt(min), fmt(max)));
        }
        return Optional.empty();
    }

    /** A rate (a share, a difference of shares) from {@code min} up to, not including, 1. */
    public static Optional<String> rate(String field, double value, double min) {
        if (Double.isNaN(value) || value < min || value >= 1) {
            return Optional.of(Messages.Validation_rate(field, fmt(value), fmt(min)));
        }
        return Optional.empty();
    }

    /** Parses a number typed into a form field, then checks its range. */
    public static Optional<String> number(String field, String value, double min, double max) {
        if (blank(value)) {
            return Optional.empty();
        }
        try {
            return range(field, Double.parseDouble(value.trim()), min, max);
        } catch (NumberFormatException e) {
            return Optional.of(Messages.Validation_number(field, value));
        }
    }

    /** A comma-separated list of user IDs or group names. */
    public static Optional<String> approvers(String field, String value) {
        if (blank(value)) {
            return Optional.empty();
        }
        for (String item : value.split(",", -1)) {
            if (item.isBlank()) {
                return Optional.of(Messages.Validation_approvers(field, value));
            }
        }
        return Optional.empty();
    }

    /** Splits a comma-separated list, trimming and dropping empty items. */
    public static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        if (value != null) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }

    /** Throws the first problem (for values bound from a Jenkinsfile). */
    @SafeVarargs
    public static void require(Optional<String>... checks) {
        for (Optional<String> check : checks) {
            if (check.isPresent()) {
                throw new IllegalArgumentException(check.get());
            }
        }
    }

    /** The result of a check as form validation. */
    public static FormValidation form(Optional<String> problem) {
        return problem.map(FormValidation::error).orElseGet(FormValidation::ok);
    }

    public static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String fmt(double v) {
        return Double.isFinite(v)
                ? java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString()
                : Double.toString(v);
    }
}
