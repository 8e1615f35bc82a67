package io.jenkins.plugins.modeldeploy.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The load generator's response parser against RFC 9112 framing: a response whose end is ambiguous is a clear
 * protocol error (and the connection is dropped), never a guess that shifts every later response by one.
 */
class Http1ConnectionTest {
    private static final byte[] GET = Http1Connection.request("GET", "/", "x", null, "test", new byte[0]);

    /** Serves {@code response} bytes once to the first request, then closes; returns the exchange's outcome. */
    private static Http1Connection.Response answer(String response) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket socket = listener.accept()) {
                    InputStream in = socket.getInputStream();
                    byte[] head = new byte[GET.length];
                    in.readNBytes(head, 0, head.length);
                    socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
                    socket.shutdownOutput();
                    in.read(); // until the client closes
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Http1Connection connection =
                    new Http1Connection(URI.create("http://127.0.0.1:" + listener.getLocalPort()), 5_000, 5_000)) {
                return connection.exchange(GET);
            } finally {
                served.get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void protocolError(String response, String message) {
        assertThatThrownBy(() -> answer(response))
                .as(response)
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(message);
    }

    @Test
    void conflictingRepeatedOrInvalidContentLengthIsAProtocolError() {
        protocolError(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 4\r\n\r\nokok",
                "more than one Content-Length");
        protocolError(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", "more than one Content-Length");
        protocolError("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok", "Content-Length is not a number");
        protocolError("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok", "Content-Length is not a number");
    }

    @Test
    void contentLengthWithTransferEncodingIsAProtocolError() {
        protocolError(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                "both Content-Length and Transfer-Encoding");
        protocolError("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok", "not supported");
        protocolError("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP/1.0 response");
    }

    @Test
    void invalidChunksAreAProtocolError() {
        protocolError(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nok\r\n0\r\n\r\n", "invalid chunk size");
        protocolError(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x2\r\nok\r\n0\r\n\r\n", "invalid chunk size");
        protocolError(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nok\r\n0\r\n\r\n", "longer than its size");
        protocolError(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nok\r\n0\r\n\r\n",
                "over the limit");
    }

    @Test
    void obsFoldBareLfAndLimitsAreAProtocolError() {
        protocolError("HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok", "obs-fold");
        protocolError("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", "bare LF");
        protocolError("HTTP/1.1 200 OK\r\nContent-Length: 2\r\r\nok", "bare CR");
        protocolError("HTTP/1.1 200 OK\r\nno colon\r\nContent-Length: 2\r\n\r\nok", "malformed header line");
        protocolError("HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok", "malformed header line");
        protocolError("HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok", "not an HTTP/1.x status line");
        protocolError(
                "HTTP/1.1 200 OK\r\n" + "X-A: 1\r\n".repeat(Http1Connection.MAX_HEADER_FIELDS + 1)
                        + "Content-Length: 2\r\n\r\nok",
                "header fields");
        protocolError(
                "HTTP/1.1 200 OK\r\nX-A: " + "a".repeat(Http1Connection.MAX_HEADER_BYTES) + "\r\n\r\nok", "too long");
    }

    @Test
    void wellFormedResponsesStillParse() throws Exception {
        Http1Connection.Response chunked = answer(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
                        + "Transfer-Encoding: chunked\r\nX-Model-Version: 2\r\n\r\n2 ;e=1\r\nok\r\n003\r\n!!!\r\n0\r\nT: t\r\n\r\n");
        assertThat(chunked.status()).isEqualTo(200);
        assertThat(new String(chunked.body(), StandardCharsets.ISO_8859_1)).isEqualTo("ok!!!");
        assertThat(chunked.extensionHeaders()).containsEntry("x-model-version", "2");
        Http1Connection.Response untilClose = answer("HTTP/1.0 404\r\nContent-Type: text/plain\r\n\r\ngone");
        assertThat(untilClose.status()).isEqualTo(404);
        assertThat(untilClose.closes()).isTrue();
        assertThat(new String(untilClose.body(), StandardCharsets.ISO_8859_1)).isEqualTo("gone");
    }
}
