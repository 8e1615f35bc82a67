package io.jenkins.plugins.modeldeploy.event;

import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the event bus lives: an {@code amqp://} or {@code amqps://} URI and credentials (from the URI's user info or
 * given apart). {@link #toString()} and {@link #redacted()} never show the password.
 */
public final class AmqpSettings {
    private final URI uri;
    private final String username;
    private final String password;

    private AmqpSettings(URI uri, String username, String password) {
        this.uri = uri;
        this.username = username;
        this.password = password;
    }

    /** Parses {@code amqp://[user[:password]@]host[:port][/vhost]}; the message never repeats the password. */
    public static AmqpSettings parse(String text) {
        URI parsed;
        try {
            parsed = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "invalid AMQP URI (expected amqp://[user[:password]@]host[:port]" + "[/vhost]): " + e.getReason());
        }
        String scheme = parsed.getScheme();
        if (!"amqp".equals(scheme) && !"amqps".equals(scheme)) {
            throw new IllegalArgumentException("AMQP URI must start with amqp:// or amqps://, was " + scheme + "://");
        }
        if (parsed.getHost() == null) {
            throw new IllegalArgumentException("AMQP URI has no host");
        }
        String user = "guest";
        String pass = "guest";
        String userInfo = parsed.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            pass = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        }
        try {
            URI withoutCredentials =
                    new URI(scheme, null, parsed.getHost(), parsed.getPort(), parsed.getPath(), null, null);
            return new AmqpSettings(withoutCredentials, user, pass);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid AMQP URI: " + e.getReason());
        }
    }

    /** Whether {@code text}, an AMQP URI, carries a password in its user-info ({@code user:password@}). */
    public static boolean hasPassword(String text) {
        try {
            String userInfo = new URI(text).getRawUserInfo();
            return userInfo != null && userInfo.indexOf(':') >= 0;
        } catch (URISyntaxException e) {
            return false; // parse() reports the malformed URI
        }
    }

    public AmqpSettings withCredentials(String newUsername, String newPassword) {
        return new AmqpSettings(uri, newUsername, newPassword);
    }

    /** The URI without credentials, e.g. {@code amqp://127.0.0.1:5672/}. */
    public URI uri() {
        return uri;
    }

    public String username() {
        return username;
    }

    /**
     * A client connection factory for these settings (no automatic recovery: callers decide how to recover). Public
     * for the prediction log's RabbitMQ output, which publishes with the same connection settings.
     */
    public ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(uri.getHost());
        if (uri.getPort() > 0) {
            factory.setPort(uri.getPort());
        }
        String path = uri.getPath();
        factory.setVirtualHost(path == null || path.length() <= 1 ? "/" : path.substring(1));
        factory.setUsername(username);
        factory.setPassword(password);
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setConnectionTimeout(5_000);
        return factory;
    }

    /** The error for a broker that refused these credentials; names the user, never the password. */
    public EventBusException credentialsRefused() {
        return new EventBusException("RabbitMQ at " + redacted() + " refused the credentials of user \"" + username
                + "\" (ACCESS_REFUSED): check the user name and password");
    }

    /** {@code amqp://user@host:port/vhost}: safe for logs and errors. */
    public String redacted() {
        return uri.getScheme() + "://" + username + "@" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                + (uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath());
    }

    @Override
    public String toString() {
        return redacted();
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
