package io.jenkins.plugins.modeldeploy.smoke;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
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

    /**
     * Bounds on a response, beyond which it is a {@link ProtocolException}: header fields and bytes as a server
     * bounds requests, and a body size no model answer comes near, so a broken server cannot exhaust the heap.
     */
    static final int MAX_HEADER_FIELDS = 100;

    static final int MAX_HEADER_BYTES = 64 * 1024;
    static final int MAX_CHUNK_LINE_BYTES = 4096;
    static final int MAX_BODY_BYTES = 256 << 20;

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
        return request(method, rawTarget, host, contentType, userAgent, Map.of(), body);
    }

    /**
     * As {@link #request(String, String, String, String, String, byte[])}, with {@code headers} added (names and
     * values must be valid header tokens and field values: they are sent as given).
     */
    public static byte[] request(
            String method,
            String rawTarget,
            String host,
            String contentType,
            String userAgent,
            Map<String, String> headers,
            byte[] body) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!header.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")
                    || !header.getValue().matches("[\\x20-\\x7e]*")) {
                throw new IllegalArgumentException("invalid request header " + header.getKey());
            }
        }
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
        headers.forEach(
                (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
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

    /**
     * Sends one request and reads its response. A HEAD response has no body whatever its length says. A response
     * whose framing breaks RFC 9112 (conflicting or repeated Content-Length, Content-Length with Transfer-Encoding,
     * a bad chunk size, obs-fold, bare CR or LF, limits exceeded) is a {@link ProtocolException}, after which the
     * connection must be closed: where the next response starts is unknown.
     */
    public Response exchange(byte[] request) throws IOException {
        return exchange(request, request.length > 4 && request[0] == 'H' && request[1] == 'E' && request[2] == 'A');
    }

    private Response exchange(byte[] request, boolean head) throws IOException {
        out.write(request);
        out.flush();
        String statusLine;
        int status;
        do {
            // Interim 1xx responses come before the final one (RFC 9110 §15.2) and carry no body.
            statusLine = nextLine(MAX_HEADER_BYTES, "status line");
            status = status(statusLine);
            skipHeadersOfInterim(status);
        } while (status < 200);
        long length = -1;
        String transferEncoding = null;
        boolean closes = statusLine.startsWith("HTTP/1.0");
        String contentType = null;
        Map<String, String> extensions = Map.of();
        int fields = 0;
        int headerBytes = 0;
        for (String line = nextHeaderLine(headerBytes); !line.isEmpty(); line = nextHeaderLine(headerBytes)) {
            headerBytes += line.length() + 2;
            if (++fields > MAX_HEADER_FIELDS) {
                throw new ProtocolException("response has more than " + MAX_HEADER_FIELDS + " header fields");
            }
            int colon = line.indexOf(':');
            String name = fieldName(line, colon).toLowerCase(Locale.ROOT);
            String value = fieldValue(line, colon, name);
            switch (name) {
                case "content-length" -> {
                    // RFC 9112 §6.3 (5): an invalid Content-Length makes the framing unrecoverable, and a user agent
                    // MUST close the connection and discard the response; a second one, even an equal one, is
                    // treated the same way.
                    if (length >= 0) {
                        throw new ProtocolException("response has more than one Content-Length header");
                    }
                    if (!value.matches("[0-9]{1,18}")) {
                        throw new ProtocolException("response Content-Length is not a number: " + printable(value));
                    }
                    length = Long.parseLong(value);
                }
                case "transfer-encoding" -> {
                    if (transferEncoding != null) {
                        throw new ProtocolException("response has more than one Transfer-Encoding header");
                    }
                    transferEncoding = value.toLowerCase(Locale.ROOT).strip();
                }
                case "connection" -> {
                    String options = value.toLowerCase(Locale.ROOT);
                    closes = options.contains("close") || closes && !options.contains("keep-alive");
                }
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
        if (transferEncoding != null) {
            // §6.3 (3): Transfer-Encoding with Content-Length "ought to be handled as an error" (smuggling or
            // response splitting); in HTTP/1.0 it is faulty framing (§6.1); only chunked is decoded here.
            if (length >= 0) {
                throw new ProtocolException("response has both Content-Length and Transfer-Encoding");
            }
            if (statusLine.startsWith("HTTP/1.0")) {
                throw new ProtocolException("HTTP/1.0 response with Transfer-Encoding");
            }
            if (!transferEncoding.equals("chunked")) {
                throw new ProtocolException("response Transfer-Encoding " + printable(transferEncoding)
                        + " is not supported (only chunked)");
            }
        }
        if (length > MAX_BODY_BYTES) {
            throw new ProtocolException("response body of " + length + " bytes is over the limit of " + MAX_BODY_BYTES);
        }
        byte[] body;
        if (head || status == 204 || status == 304) {
            body = new byte[0];
        } else if (transferEncoding != null) {
            body = readChunked();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length != length) {
                throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
            }
        } else {
            // no length: the body ends with the connection (§6.3 (8)), within the same limit
            body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new ProtocolException("response body over the limit of " + MAX_BODY_BYTES + " bytes");
            }
            closes = true;
        }
        return new Response(status, body, closes, contentType, extensions);
    }

    /** The status code of an {@code HTTP/1.x NNN [reason]} status line (RFC 9112 §4). */
    private static int status(String statusLine) throws ProtocolException {
        if (!statusLine.matches("HTTP/1\\.[0-9] [1-5][0-9][0-9]( .*)?")) {
            throw new ProtocolException("not an HTTP/1.x status line: " + printable(statusLine));
        }
        return Integer.parseInt(statusLine.substring(9, 12));
    }

    private void skipHeadersOfInterim(int status) throws IOException {
        if (status < 200) {
            int bytes = 0;
            for (String line = nextHeaderLine(bytes); !line.isEmpty(); line = nextHeaderLine(bytes)) {
                bytes += line.length() + 2;
            }
        }
    }

    /**
     * A chunked body (RFC 9112 §7.1): sizes are 1*HEXDIG (so "-1" or "0x10" is an error, not a number to guess at),
     * extensions are ignored within a bound, chunk data ends in exactly CRLF, trailers obey the header rules, and the
     * total is checked against the limit before each chunk is read.
     */
    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = nextLine(MAX_CHUNK_LINE_BYTES, "chunk size line");
            int digits = 0;
            while (digits < line.length() && Character.digit(line.charAt(digits), 16) >= 0) {
                digits++;
            }
            String rest = line.substring(digits).stripLeading();
            if (digits == 0 || !rest.isEmpty() && rest.charAt(0) != ';') {
                throw new ProtocolException("invalid chunk size line in response: " + printable(line));
            }
            String hex = line.substring(0, digits).replaceFirst("^0+(?=.)", "");
            long size = hex.length() > 15 ? Long.MAX_VALUE : Long.parseLong(hex, 16);
            if (size == 0) {
                int bytes = 0;
                for (String trailer = nextHeaderLine(bytes); !trailer.isEmpty(); trailer = nextHeaderLine(bytes)) {
                    bytes += trailer.length() + 2;
                    int colon = trailer.indexOf(':');
                    fieldValue(trailer, colon, fieldName(trailer, colon));
                }
                return body.toByteArray();
            }
            if (size > MAX_BODY_BYTES - body.size()) {
                throw new ProtocolException("response body over the limit of " + MAX_BODY_BYTES + " bytes");
            }
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length != size) {
                throw new EOFException("connection closed inside a chunk");
            }
            body.writeBytes(chunk);
            if (!nextLine(0, "chunk").isEmpty()) {
                throw new ProtocolException("response chunk data longer than its size");
            }
        }
    }

    private String nextHeaderLine(int bytesSoFar) throws IOException {
        String line = nextLine(MAX_HEADER_BYTES - bytesSoFar, "response header section");
        if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
            // RFC 9112 §5.2 lets a user agent unfold obs-fold; a load generator refuses it instead, since a server
            // that folds is not one whose latencies should be reported as if it spoke HTTP correctly.
            throw new ProtocolException("folded header line (obs-fold) in response");
        }
        return line;
    }

    /** A token before the colon, no whitespace before it (RFC 9112 §5.1). */
    private static String fieldName(String line, int colon) throws ProtocolException {
        String name = colon < 0 ? "" : line.substring(0, colon);
        boolean token = !name.isEmpty();
        for (int i = 0; token && i < name.length(); i++) {
            char c = name.charAt(i);
            token = c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
        }
        if (!token) {
            throw new ProtocolException("malformed header line in response: " + printable(line));
        }
        return name;
    }

    /** The value without surrounding whitespace; CR, LF, NUL and other controls are an error (RFC 9110 §5.5). */
    private static String fieldValue(String line, int colon, String name) throws ProtocolException {
        String value = line.substring(colon + 1).strip();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new ProtocolException("control character in response header " + name);
            }
        }
        return value;
    }

    /** At most 80 characters of what was received, controls escaped, for an error message. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(80, text.length()); i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c >= 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return text.length() > 80 ? out + "…" : out.toString();
    }

    /**
     * One CRLF-terminated line (RFC 9112 §2.2). A bare LF or CR is a protocol error: a parser that accepts it and
     * one that does not disagree on where a message ends. {@code limit}: the most characters the line may have.
     */
    private String nextLine(int limit, String what) throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new ProtocolException("bare CR in response " + what);
                }
                return line.toString();
            }
            if (b == '\n') {
                throw new ProtocolException("bare LF in response " + what + " (lines end in CRLF)");
            }
            if (line.length() >= limit) {
                throw new ProtocolException(
                        limit == 0
                                ? "response " + what + " data longer than its size"
                                : "response " + what + " too long");
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
