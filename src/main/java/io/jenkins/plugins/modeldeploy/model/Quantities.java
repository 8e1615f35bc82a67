package io.jenkins.plugins.modeldeploy.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes resource quantities ({@code 500m}, {@code 0.5}, {@code 512Mi}, {@code 1G}) read exactly and written in the
 * canonical form the API server stores, so that a re-apply compares equal to what the server returns.
 *
 * <p>The canonical form follows apimachinery's {@code resource/quantity.go} ({@code CanonicalizeBytes}): a value keeps
 * its kind of suffix; decimal values get the largest power-of-1000 suffix that leaves an integer ({@code 0.5} →
 * {@code 500m}, {@code 1000m} → {@code 1}, {@code 2000} → {@code 2k}); binary values the largest power-of-1024 suffix
 * ({@code 1024Mi} → {@code 1Gi}, {@code 1.5Gi} → {@code 1536Mi}), falling back to decimal when the byte count is below
 * 1024 or not whole ({@code 0.5Ki} → {@code 512}). Only what the loader accepts is handled: positive values with at
 * most millis precision (the API server rounds finer values up, which would again differ from what was written) and
 * without exponent notation.
 */
public final class Quantities {
    private static final Pattern QUANTITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");
    private static final List<String> DECIMAL = List.of("", "k", "M", "G", "T", "P", "E");
    private static final List<String> BINARY = List.of("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei");
    private static final BigInteger KI = BigInteger.valueOf(1024);
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private Quantities() {}

    /** The exact value of {@code text} (in cores or bytes), or empty when it is not a quantity this tool accepts. */
    public static Optional<BigDecimal> value(String text) {
        Matcher matcher = QUANTITY.matcher(text);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        BigDecimal number = new BigDecimal(matcher.group(1));
        String suffix = matcher.group(2) == null ? "" : matcher.group(2);
        if (suffix.equals("m")) {
            return Optional.of(number.movePointLeft(3));
        }
        int binary = BINARY.indexOf(suffix);
        if (binary > 0) {
            return Optional.of(number.multiply(new BigDecimal(KI.pow(binary))));
        }
        return Optional.of(number.movePointRight(3 * DECIMAL.indexOf(suffix)));
    }

    /** True when {@code text} is a positive whole number of thousandths, the finest the API server keeps exactly. */
    public static boolean wholeMillis(String text) {
        return value(text)
                .map(v -> v.movePointRight(3).stripTrailingZeros().scale() <= 0)
                .orElse(false);
    }

    /**
     * The canonical form of a quantity {@link #value accepted} here and with {@link #wholeMillis whole millis}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static String canonical(String text) {
        BigDecimal value = value(text)
                .filter(v -> v.signum() > 0 && wholeMillis(text))
                .orElseThrow(() -> new IllegalArgumentException("not a positive quantity in whole millis: " + text));
        boolean binary = BINARY.indexOf(suffix(text)) > 0;
        if (binary && value.compareTo(BigDecimal.valueOf(1024)) >= 0 && isWhole(value)) {
            BigInteger bytes = value.toBigIntegerExact();
            int power = 0;
            while (power < BINARY.size() - 1 && bytes.mod(KI).signum() == 0) {
                bytes = bytes.divide(KI);
                power++;
            }
            return bytes + BINARY.get(power);
        }
        // Decimal: an integer mantissa with the largest power-of-1000 exponent, from milli (-1) up to exa (6).
        BigDecimal mantissa = value.movePointRight(3);
        int power = -1;
        while (power < DECIMAL.size() - 1 && isWhole(mantissa.divide(THOUSAND))) {
            mantissa = mantissa.divide(THOUSAND);
            power++;
        }
        return mantissa.toBigIntegerExact() + (power < 0 ? "m" : DECIMAL.get(power));
    }

    private static String suffix(String text) {
        Matcher matcher = QUANTITY.matcher(text);
        return matcher.matches() && matcher.group(2) != null ? matcher.group(2) : "";
    }

    private static boolean isWhole(BigDecimal value) {
        return value.stripTrailingZeros().scale() <= 0;
    }
}
