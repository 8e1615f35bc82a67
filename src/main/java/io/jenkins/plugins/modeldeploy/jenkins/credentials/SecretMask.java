package io.jenkins.plugins.modeldeploy.jenkins.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Serializable;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The secrets a build resolved, and every form in which they could reach a log line: plain, URL-encoded, and
 * base64 (standard and URL-safe, at each of the three byte alignments a secret can have inside a longer encoded
 * value, and as {@code user:secret} the way HTTP basic authentication encodes it). {@link #apply} replaces them all.
 * Only the forms live in memory for the life of the build; nothing is persisted ({@code transient} wherever held).
 */
public final class SecretMask implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String MASK = "****";
    /** Encoded fragments shorter than this would mask ordinary text; the plain value is always masked. */
    private static final int MIN_FORM = 4;

    private transient Set<String> forms = new LinkedHashSet<>();
    private transient List<String> ordered = List.of();

    /** Adds a secret (and, when given, the user it belongs to, for the basic-authentication form). */
    public synchronized void add(String secret, String user) {
        if (forms == null) {
            forms = new LinkedHashSet<>();
        }
        if (secret == null || secret.isEmpty()) {
            return;
        }
        forms.add(secret); // the plain value is masked whatever its length
        add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        add(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"));
        addBase64(secret.getBytes(StandardCharsets.UTF_8));
        if (user != null && !user.isEmpty()) {
            addBase64((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
        }
        ordered = forms.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
    }

    /**
     * Adds a kubeconfig: the whole text, and each secret inside it on its own (tokens, passwords, client keys), since
     * those are what a client library or an error message would print.
     */
    public synchronized void addKubeconfig(String yaml) {
        add(yaml, null);
        try {
            collect(new ObjectMapper(new YAMLFactory()).readTree(yaml), null);
        } catch (IOException | RuntimeException e) {
            // not YAML: the whole text is masked, which is all that can be done
        }
    }

    private void collect(JsonNode node, String key) {
        if (node == null) {
            return;
        }
        if (node.isValueNode()) {
            if (key != null
                    && SECRET_KEYS.matcher(key).matches()
                    && !node.asText().isEmpty()) {
                add(node.asText(), null);
            }
            return;
        }
        if (node.isArray()) {
            node.forEach(child -> collect(child, key));
            return;
        }
        node.properties().forEach(e -> collect(e.getValue(), e.getKey()));
    }

    /** A mask that crossed a channel (or was stored) holds no secret: the forms are transient on purpose. */
    private Object readResolve() {
        synchronized (this) {
            forms = new LinkedHashSet<>();
            ordered = List.of();
        }
        return this;
    }

    private static final Pattern SECRET_KEYS =
            Pattern.compile("(?i).*(token|password|secret|client-key-data|key-data)");

    private void add(String form) {
        if (form.length() >= MIN_FORM) {
            forms.add(form);
        }
    }

    private void addBase64(byte[] bytes) {
        for (Base64.Encoder encoder : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
            String whole = encoder.encodeToString(bytes);
            add(whole);
            add(strip(whole));
            for (int shift = 1; shift <= 2; shift++) {
                byte[] shifted = new byte[bytes.length + shift];
                System.arraycopy(bytes, 0, shifted, shift, bytes.length);
                String encoded = strip(encoder.encodeToString(shifted));
                // the first characters also encode the prefix bytes; the last may encode padding bits
                int from = shift == 1 ? 2 : 3;
                int to = encoded.length() - 1;
                if (to - from >= MIN_FORM) {
                    add(encoded.substring(from, to));
                }
            }
            if (whole.length() - 1 > MIN_FORM) {
                add(strip(whole).substring(0, strip(whole).length() - 1));
            }
        }
    }

    private static String strip(String base64) {
        int end = base64.length();
        while (end > 0 && base64.charAt(end - 1) == '=') {
            end--;
        }
        return base64.substring(0, end);
    }

    /** {@code text} with every form of every secret replaced by {@value #MASK}. */
    public synchronized String apply(String text) {
        if (text == null || ordered == null || ordered.isEmpty()) {
            return text;
        }
        String masked = text;
        for (String form : ordered) {
            masked = masked.replace(form, MASK);
        }
        return masked;
    }

    public synchronized boolean isEmpty() {
        return forms == null || forms.isEmpty();
    }
}
