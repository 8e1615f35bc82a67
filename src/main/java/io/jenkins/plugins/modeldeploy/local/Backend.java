package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.smoke.Http1Connection;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
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
