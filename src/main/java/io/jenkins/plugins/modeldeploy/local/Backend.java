package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.smoke.Http1Connection;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/** One version's harness as the gateway sees it: its address, idle keep-alive connections, requests in flight. */
final class Backend {
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    private static final int READ_TIMEOUT_MILLIS = 60_000;
    private static final int MAX_IDLE = 64;

    final VersionRef version;
    final URI url;
    final String hostHeader;
    final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean up = true;
    private final ConcurrentLinkedDeque<Http1Connection> idle = new ConcurrentLinkedDeque<>();

    Backend(VersionRef version, URI url) {
        this.version = version;
        this.url = url;
        this.hostHeader = url.getHost() + ":" + url.getPort();
    }

    /**
     * Sends one request on an idle connection, or a new one. A reused connection the backend closed while idle
     * fails before any answer; that request never reached the model, so it is sent once more on a fresh one.
     */
    Http1Connection.Response exchange(byte[] request) throws IOException {
        inFlight.incrementAndGet();
        try {
            Http1Connection reused = idle.pollFirst();
            if (reused != null) {
                try {
                    return finish(reused, reused.exchange(request));
                } catch (IOException stale) {
                    reused.close();
                }
            }
            Http1Connection fresh = new Http1Connection(url, CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS);
            try {
                return finish(fresh, fresh.exchange(request));
            } catch (IOException e) {
                fresh.close();
                throw e;
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private Http1Connection.Response finish(Http1Connection connection, Http1Connection.Response response) {
        if (response.closes() || idle.size() >= MAX_IDLE) {
            connection.close();
        } else {
            idle.offerFirst(connection);
        }
        return response;
    }

    /**
     * The bytes of one request to this backend: {@code headers} are the client's end-to-end fields (passed on as
     * sent: request id, model version, sticky header, Cookie, Accept, …), then the gateway's framing. A client
     * without a User-Agent is sent as {@code model-deploy-gateway}.
     */
    byte[] request(
            String method, String rawTarget, String contentType, List<Map.Entry<String, String>> headers, byte[] body) {
        StringBuilder head = new StringBuilder(256)
                .append(method)
                .append(' ')
                .append(rawTarget)
                .append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader)
                .append("\r\n");
        boolean userAgent = false;
        for (Map.Entry<String, String> header : headers) {
            userAgent |= header.getKey().equalsIgnoreCase("User-Agent");
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        if (!userAgent) {
            head.append("User-Agent: model-deploy-gateway\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body.length > 0 || !"GET".equals(method) && !"HEAD".equals(method)) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        // The gateway's server took header values as ISO-8859-1 octets, so they go out as they came in.
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
        System.arraycopy(body, 0, bytes, headBytes.length, body.length);
        return bytes;
    }

    /** True when nothing listens at the backend's address any more. */
    boolean wasRefused(IOException e) {
        return e instanceof ConnectException;
    }

    void closeIdle() {
        for (Http1Connection connection; (connection = idle.pollFirst()) != null; ) {
            connection.close();
        }
    }
}
