package io.jenkins.plugins.modeldeploy.smoke;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;

/**
 * One keep-alive HTTP/1.1 connection for the load generator: the whole request leaves in one write with TCP_NODELAY
 * set, and the response is read straight off the socket. The JDK's HttpClient costs far more CPU per request and
 * splits header and body writes, which would blur the latencies being measured. The local gateway uses it for the
 * same reasons to reach its backends.
 */
public final class Http1Connection implements AutoCloseable {
    /**
     * A response: status, body, whether the server asked to close the connection, its content type, and its
     * {@code X-…} headers (names in lower case), which carry the harness's model, version and fault markers.
     */
    public record Response(
            int status, byte[] body, boolean closes, String contentType, Map<String, String> extensionHeaders) {}

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public Http1Connection(URI target, int connectTimeoutMillis, int readTimeoutMillis) throws IOException {
        boolean tls = "https".equalsIgnoreCase(target.getScheme());
        int port = target.getPort() > 0 ? target.getPort() : tls ? 443 : 80;
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(target.getHost(), port), connectTimeoutMillis);
            socket = tls
                    ? ((SSLSocketFactory) SSLSocketFactory.getDefault())
                            .createSocket(plain, target.getHost(), port, true)
                    : plain;
            socket.setSoTimeout(readTimeoutMillis);
        } catch (IOException e) {
            plain.close();
            throw e;
        }
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = socket.getOutputStream();
    }

    /** The bytes of a POST of {@code body} to {@code target}, prepared once and sent many times. */
    static byte[] postRequest(URI target, String contentType, byte[] body) {
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        if (target.getRawQuery() != null) {
            path += "?" + target.getRawQuery();
        }
        String host = target.getPort() > 0 ? target.getHost() + ":" + target.getPort() : target.getHost();
        return request("POST", path, host, contentType, "model-deploy-smoke", body);
    }

    /**
     * The bytes of one request with a body of known length; {@code contentType} may be null (no body type).
     * {@code rawTarget} is the request target as sent (path and query, already encoded).
     */
    public static byte[] request(
            String method, String rawTarget, String host, String contentType, String userAgent, byte[] body) {
        StringBuilder head = new StringBuilder(160)
                .append(method)
                .append(' ')
                .append(rawTarget)
                .append(" HTTP/1.1\r\nHost: ")
                .append(host)
                .append("\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body.length > 0 || !"GET".equals(method) && !"HEAD".equals(method)) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        byte[] headBytes = head.append("User-Agent: ")
                .append(userAgent)
                .append("\r\n\r\n")
                .toString()
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    /** Sends one request and reads its response. A HEAD response has no body whatever its length says. */
    public Response exchange(byte[] request) throws IOException {
        return exchange(request, request.length > 4 && request[0] == 'H' && request[1] == 'E' && request[2] == 'A');
    }

    private Response exchange(byte[] request, boolean head) throws IOException {
        out.write(request);
        out.flush();
        String statusLine = nextLine();
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x response: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closes = statusLine.startsWith("HTTP/1.0");
        String contentType = null;
        Map<String, String> extensions = Map.of();
        for (String line = nextLine(); !line.isEmpty(); line = nextLine()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" ->
                    chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closes = value.equalsIgnoreCase("close");
                case "content-type" -> contentType = value;
                default -> {
                    if (name.startsWith("x-")) {
                        if (extensions.isEmpty()) {
                            extensions = new HashMap<>(4);
                        }
                        extensions.put(name, value);
                    }
                }
            }
        }
        byte[] body;
        if (head || status == 204 || status == 304) {
            body = new byte[0];
        } else if (chunked) {
            body = readChunked();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length != length) {
                throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
            }
        } else {
            body = in.readAllBytes(); // no length: the body ends with the connection
            closes = true;
        }
        return new Response(status, body, closes, contentType, extensions);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = nextLine();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!nextLine().isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new EOFException("connection closed inside a chunk");
            }
            body.writeBytes(chunk);
            nextLine();
        }
    }

    private String nextLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a broken connection: nothing left to release
        }
    }
}
