package io.jenkins.plugins.modeldeploy.redact;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that decides what a credential looks like, so that every URL shown or stored (console, JSON output,
 * journal, events, smoke reports, error messages) hides the same things and a model process never inherits them.
 *
 * <p>In a URL: the password of the user-info ({@code user:secret@} becomes {@code user:***@}; a user name alone is
 * kept, as AMQP and registry errors need it) and the value of every query parameter whose name looks like a
 * credential (see {@link #isCredentialName}). Query parameters are the {@code name=value} pairs of RFC 3986 section
 * 3.4 as HTML forms write them; the user-info is RFC 3986 section 3.2.1, which itself deprecates a password there.
 */
public final class Redaction {
    /** What replaces a hidden value. */
    public static final String MASK = "***";

    /**
     * Parameter or variable names that are credentials when they equal one of these (lower case, '-' read as '_').
     */
    private static final Set<String> EXACT =
            Set.of("key", "sig", "sign", "pass", "pwd", "auth", "code", "session", "sessionid", "sid", "jwt", "bearer");

    /** ... or contain one of these. */
    private static final Set<String> CONTAINED = Set.of(
            "password",
            "passwd",
            "passphrase",
            "secret",
            "token",
            "apikey",
            "api_key",
            "access_key",
            "accesskey",
            "private_key",
            "credential",
            "signature",
            "authorization",
            "auth_",
            "_auth",
            "client_secret");

    // scheme "://" then anything up to white space or a character that ends a URL in prose, JSON, HTML or XML
    private static final Pattern URL = Pattern.compile("\\b[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>`]+");

    private Redaction() {}

    /**
     * Whether a query parameter or environment variable name names a credential: {@code api_key}, {@code token},
     * {@code X-Amz-Signature}, {@code MODEL_DEPLOY_AMQP_PASSWORD}, {@code AWS_SECRET_ACCESS_KEY}, {@code sig} ...
     */
    public static boolean isCredentialName(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('-', '_');
        if (EXACT.contains(n)) {
            return true;
        }
        for (String part : CONTAINED) {
            if (n.contains(part)) {
                return true;
            }
        }
        return false;
    }

    /** One URL (or URI) with its user-info password and credential query values hidden; other text unchanged. */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0) {
            return url;
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = indexOfAny(url, "/?#", authorityStart);
        String authority = url.substring(authorityStart, authorityEnd);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                authority = userInfo.substring(0, colon) + ":" + MASK + authority.substring(at);
            }
        }
        String rest = url.substring(authorityEnd);
        int query = rest.indexOf('?');
        if (query >= 0) {
            int fragment = rest.indexOf('#', query);
            String end = fragment < 0 ? "" : rest.substring(fragment);
            String params = rest.substring(query + 1, fragment < 0 ? rest.length() : fragment);
            rest = rest.substring(0, query + 1) + query(params) + end;
        }
        return url.substring(0, authorityStart) + authority + rest;
    }

    /** A URI, redacted as {@link #url(String)}. */
    public static String url(java.net.URI uri) {
        return uri == null ? null : url(uri.toString());
    }

    /** Free text (a message, an error, a log line) with every URL in it redacted as {@link #url(String)}. */
    public static String text(String text) {
        if (text == null || !text.contains("://")) {
            return text;
        }
        Matcher matcher = URL.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            // punctuation that ends a sentence or a parenthesis ends the URL too ("against http://h/p?token=x, then")
            String found = matcher.group();
            int end = found.length();
            while (end > 0 && ".,;:!?)]}".indexOf(found.charAt(end - 1)) >= 0) {
                end--;
            }
            String replacement = url(found.substring(0, end)) + found.substring(end);
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static String query(String params) {
        StringBuilder out = new StringBuilder();
        for (String pair : params.split("&", -1)) {
            if (out.length() > 0) {
                out.append('&');
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (eq >= 0 && isCredentialName(decode(name))) {
                out.append(name).append('=').append(MASK);
            } else {
                out.append(pair);
            }
        }
        return out.toString();
    }

    private static String decode(String name) {
        try {
            return java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return name; // a malformed escape: judge the raw name
        }
    }

    private static int indexOfAny(String text, String chars, int from) {
        for (int i = from; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }
}
