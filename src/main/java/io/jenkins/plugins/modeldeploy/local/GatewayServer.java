package io.jenkins.plugins.modeldeploy.local;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's HTTP/1.1 server: one thread per client connection that reads a request, lets the handler answer
 * and writes the whole response in one write with TCP_NODELAY. The JDK's HttpServer hands every request from its
 * selector thread to a worker and back, which added milliseconds to the tail on two cores; a proxy on loopback with
 * a few keep-alive clients needs none of that.
 */
final class GatewayServer implements AutoCloseable {
    /** Limits on what a request may send before its body, beyond which it is refused (431, 414, 400). */
    static final int MAX_HEADER_BYTES = 64 * 1024;

    static final int MAX_HEADER_FIELDS = 100;
    static final int MAX_REQUEST_LINE_BYTES = 16 * 1024;
    static final int MAX_CHUNK_LINE_BYTES = 4096;
    private static final int MAX_EMPTY_LINES = 4;
    private static final String REQUEST_LINE_TOO_LONG = "request line longer than " + MAX_REQUEST_LINE_BYTES + " bytes";
    /** After refusing a request, how long and how much of what the client still sends is read before closing. */
    private static final int LINGER_MILLIS = 2_000;

    private static final int LINGER_BYTES = 1 << 20;
    private static final int IDLE_TIMEOUT_MILLIS = 120_000;

    /**
     * A parsed request; {@code rawTarget} is the path and query as sent. {@code headers} are its end-to-end header
     * fields in order as sent (names as sent), without those that frame this hop's message or the connection (Host,
     * Content-Length, Transfer-Encoding, Connection, Keep-Alive, TE, Trailer, Upgrade, Expect, Proxy-Connection) and
     * without Content-Type, which is {@code contentType}, nor the fields the Connection header names: what a proxy
     * passes on to the backend.
     */
    record Request(
            String method,
            String rawPath,
            String rawQuery,
            String contentType,
            byte[] body,
            List<Map.Entry<String, String>> headers) {
        Request(String method, String rawPath, String rawQuery, String contentType, byte[] body) {
            this(method, rawPath, rawQuery, contentType, body, List.of());
        }

        /** The first value of the named header (any case), or null. */
        String header(String name) {
            for (Map.Entry<String, String> header : headers) {
                if (header.getKey().equalsIgnoreCase(name)) {
                    return header.getValue();
                }
            }
            return null;
        }
    }

    /** Header fields of one hop (lower case), not passed on (RFC 9110 §7.6.1), or passed on separately. */
    private static final Set<String> HOP_HEADERS = Set.of(
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "te",
            "trailer",
            "upgrade",
            "expect",
            "proxy-connection",
            "content-type");

    /** A response; {@code headers} are extra headers (names as they should be written). */
    record Response(int status, String contentType, Map<String, String> headers, byte[] body) {}

    interface Handler {
        Response handle(Request request);
    }

    /** What the server answers itself when a request cannot be read (malformed, too large). */
    interface Rejections {
        Response reject(int status, String message);
    }

    private final ServerSocket listener;
    private final ExecutorService threads;
    private final Handler handler;
    private final Rejections rejections;
    private final long maxBodyBytes;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    private GatewayServer(
            ServerSocket listener, ExecutorService threads, Handler handler, Rejections rejections, long maxBodyBytes) {
        this.listener = listener;
        this.threads = threads;
        this.handler = handler;
        this.rejections = rejections;
        this.maxBodyBytes = maxBodyBytes;
    }

    static GatewayServer start(int port, Handler handler, Rejections rejections, long maxBodyBytes) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        AtomicInteger count = new AtomicInteger();
        ExecutorService threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "model-deploy-gateway-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        GatewayServer server = new GatewayServer(listener, threads, handler, rejections, maxBodyBytes);
        threads.execute(server::accept);
        return server;
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (running) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (running) {
                    continue; // a failed accept (e.g. the client reset first) does not stop the server
                }
                return;
            }
            open.add(socket);
            threads.execute(() -> serve(socket));
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = socket.getOutputStream();
            while (running) {
                Exchange exchange = read(in, out);
                if (exchange == null) {
                    return; // the client closed its keep-alive connection
                }
                Response response = exchange.rejection;
                boolean close = exchange.close;
                if (response == null) {
                    try {
                        response = handler.handle(exchange.request);
                    } catch (RuntimeException e) {
                        // every request gets one answer, even when the handler has a bug
                        response = rejections.reject(500, "gateway error: " + e);
                        close = true;
                    }
                }
                boolean head = exchange.request != null && "HEAD".equals(exchange.request.method());
                out.write(encode(response, close, head));
                out.flush();
                if (exchange.rejection != null) {
                    linger(socket, in);
                    return;
                }
                if (close) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away mid-exchange: nothing to answer
        } finally {
            open.remove(socket);
        }
    }

    private record Exchange(Request request, Response rejection, boolean close) {}

    /**
     * Closes a connection whose request was refused without losing the refusal: closing a socket with unread input
     * makes the kernel send a reset, which can discard the response before the client reads it (RFC 9112 §9.6 asks
     * for this half-close). So: send FIN, read and discard what the client still sends, within bounds, then close.
     */
    private static void linger(Socket socket, InputStream in) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(LINGER_MILLIS);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
            byte[] discard = new byte[8192];
            for (long read = 0; read < LINGER_BYTES && System.nanoTime() < deadline; ) {
                int n = in.read(discard);
                if (n < 0) {
                    return;
                }
                read += n;
            }
        } catch (IOException e) {
            // the client is gone or silent: close now
        }
    }

    /**
     * A request the server answers itself and then closes the connection on: once framing is in doubt, nothing after
     * it on the connection can be trusted to start a request (RFC 9112 §6.3, §11.2 on request smuggling).
     */
    private static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Rejected(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** Reads one request; null at a clean end of the connection (before the first byte of a request). */
    private Exchange read(InputStream in, OutputStream out) throws IOException {
        try {
            return parse(in, out);
        } catch (Rejected rejected) {
            return new Exchange(null, rejections.reject(rejected.status, rejected.getMessage()), true);
        }
    }

    private Exchange parse(InputStream in, OutputStream out) throws IOException, Rejected {
        String requestLine = readLine(in, MAX_REQUEST_LINE_BYTES, true, 414, REQUEST_LINE_TOO_LONG);
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line (some clients send
        // a CRLF after a POST body); a few, not an unbounded stream of them.
        for (int empty = 0; requestLine != null && requestLine.isEmpty(); empty++) {
            if (empty == MAX_EMPTY_LINES) {
                throw new Rejected(400, "malformed request line");
            }
            requestLine = readLine(in, MAX_REQUEST_LINE_BYTES, true, 414, REQUEST_LINE_TOO_LONG);
        }
        if (requestLine == null) {
            return null;
        }
        // RFC 9112 §3: method SP request-target SP HTTP-version, single spaces, a token method and no whitespace or
        // control characters in the target.
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || !isToken(parts[0]) || !isTarget(parts[1]) || !parts[2].matches("HTTP/[0-9]\\.[0-9]")) {
            throw new Rejected(400, "malformed request line");
        }
        if (!parts[2].startsWith("HTTP/1.")) {
            // §2.3: a higher minor version of 1 is answered as 1.1; another major version is another protocol.
            throw new Rejected(505, "HTTP version not supported (HTTP/1.0 and HTTP/1.1 are)");
        }
        boolean http10 = parts[2].equals("HTTP/1.0");
        long length = -1;
        String transferEncoding = null;
        boolean host = false;
        boolean close = http10;
        boolean expectContinue = false;
        String contentType = null;
        HeaderBudget budget = new HeaderBudget();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        Set<String> connectionOptions = new java.util.HashSet<>();
        for (String line = readHeaderLine(in, budget); !line.isEmpty(); line = readHeaderLine(in, budget)) {
            int colon = line.indexOf(':');
            String name = fieldName(line, colon);
            String value = fieldValue(line, colon, name);
            switch (name.toLowerCase(Locale.ROOT)) {
                case "content-length" -> {
                    // RFC 9112 §6.3 (5) and RFC 9110 §8.6: a second Content-Length, even an equal one, or a list is
                    // taken as faulty framing rather than guessed at; so is anything but digits ("-1", "+5", " 5 5").
                    if (length >= 0) {
                        throw new Rejected(400, "more than one Content-Length header");
                    }
                    if (!value.matches("[0-9]{1,18}")) {
                        throw new Rejected(400, "Content-Length is not a number");
                    }
                    length = Long.parseLong(value);
                }
                case "transfer-encoding" -> {
                    if (transferEncoding != null) {
                        throw new Rejected(400, "more than one Transfer-Encoding header");
                    }
                    transferEncoding = value.toLowerCase(Locale.ROOT);
                }
                case "host" -> {
                    if (host) { // RFC 9112 §3.2
                        throw new Rejected(400, "more than one Host header");
                    }
                    host = true;
                }
                case "connection" -> {
                    for (String option : value.toLowerCase(Locale.ROOT).split(",")) {
                        String token = option.strip();
                        connectionOptions.add(token);
                        if (token.equals("close")) {
                            close = true;
                        } else if (token.equals("keep-alive") && http10) {
                            close = false;
                        }
                    }
                }
                case "expect" -> expectContinue = value.equalsIgnoreCase("100-continue");
                case "content-type" -> contentType = value;
                default -> {}
            }
            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                headers.add(Map.entry(name, value));
            }
        }
        if (!http10 && !host) {
            throw new Rejected(400, "an HTTP/1.1 request without a Host header"); // RFC 9112 §3.2
        }
        boolean chunked = false;
        if (transferEncoding != null) {
            chunked = chunkedFraming(transferEncoding, http10, length >= 0);
        }
        if (length > maxBodyBytes) {
            throw new Rejected(413, "request body larger than " + maxBodyBytes + " bytes");
        }
        if (expectContinue && !http10) { // RFC 9110 §10.1.1: no 100 to an HTTP/1.0 client
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body = chunked ? readChunked(in, budget) : readFixed(in, Math.max(0, length));
        String target = parts[1];
        int question = target.indexOf('?');
        String path = question < 0 ? target : target.substring(0, question);
        String query = question < 0 ? null : target.substring(question + 1);
        return new Exchange(
                new Request(parts[0], originPath(path), query, contentType, body, endToEnd(headers, connectionOptions)),
                null,
                close);
    }

    /** The fields not named in Connection, which lists more fields of this hop only (RFC 9110 §7.6.1). */
    private static List<Map.Entry<String, String>> endToEnd(
            List<Map.Entry<String, String>> headers, Set<String> connectionOptions) {
        if (connectionOptions.isEmpty()) {
            return List.copyOf(headers);
        }
        return headers.stream()
                .filter(header -> !connectionOptions.contains(header.getKey().toLowerCase(Locale.ROOT)))
                .toList();
    }

    /**
     * Whether a request with this Transfer-Encoding is chunked (RFC 9112 §6.1): with a Content-Length as well it is
     * refused (the classic smuggling vector, §6.1 and §11.2: a server MAY reject it, and we do, since no client of a
     * local gateway needs both); in HTTP/1.0 it is faulty framing; chunked must be the final coding and appear once;
     * any other coding is one this server does not implement (501).
     */
    private static boolean chunkedFraming(String transferEncoding, boolean http10, boolean contentLength)
            throws Rejected {
        if (contentLength) {
            throw new Rejected(400, "both Content-Length and Transfer-Encoding");
        }
        if (http10) {
            throw new Rejected(400, "Transfer-Encoding in an HTTP/1.0 request");
        }
        String[] codings = transferEncoding.split(",", -1);
        for (int i = 0; i < codings.length; i++) {
            String coding = codings[i].strip();
            if (coding.isEmpty() || coding.equals("chunked") != (i == codings.length - 1)) {
                throw new Rejected(400, "Transfer-Encoding must end in a single chunked coding");
            }
        }
        if (codings.length > 1) {
            throw new Rejected(501, "transfer codings other than chunked are not supported");
        }
        return true;
    }

    private static byte[] readFixed(InputStream in, long length) throws IOException, Rejected {
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw incomplete("the request body");
        }
        return body;
    }

    /**
     * A chunked body (RFC 9112 §7.1): each size is 1*HEXDIG, optionally followed by extensions; each chunk's data
     * ends in exactly CRLF; the trailer section obeys the header rules and limits. {@code maxBodyBytes} is checked
     * against every announced chunk size before its data is read, so a huge or endless chunked body is refused
     * without being buffered.
     */
    private byte[] readChunked(InputStream in, HeaderBudget budget) throws IOException, Rejected {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int extensionBytes = 0;
        while (true) {
            String line = readLine(
                    in, MAX_CHUNK_LINE_BYTES, false, 400, "chunk size line longer than " + MAX_CHUNK_LINE_BYTES);
            int digits = 0;
            while (digits < line.length() && Character.digit(line.charAt(digits), 16) >= 0) {
                digits++;
            }
            String extensions = line.substring(digits).stripLeading(); // BWS before ";" (§7.1.1)
            if (digits == 0 || !extensions.isEmpty() && extensions.charAt(0) != ';') {
                throw new Rejected(400, "invalid chunk size");
            }
            // §7.1.1: chunk extensions are bounded like any other part of the message; they are not used here.
            extensionBytes += extensions.length();
            if (extensionBytes > MAX_HEADER_BYTES) {
                throw new Rejected(400, "chunk extensions longer than " + MAX_HEADER_BYTES + " bytes in all");
            }
            String hex = line.substring(0, digits).replaceFirst("^0+(?=.)", "");
            long size = hex.length() > 15 ? Long.MAX_VALUE : Long.parseLong(hex, 16);
            if (size == 0) {
                for (String trailer = readHeaderLine(in, budget);
                        !trailer.isEmpty();
                        trailer = readHeaderLine(in, budget)) {
                    int colon = trailer.indexOf(':');
                    fieldValue(trailer, colon, fieldName(trailer, colon)); // checked, then ignored (§7.1.2)
                }
                return body.toByteArray();
            }
            if (size > maxBodyBytes - body.size()) {
                throw new Rejected(413, "request body larger than " + maxBodyBytes + " bytes");
            }
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length != size) {
                throw incomplete("a chunk");
            }
            body.writeBytes(chunk);
            int cr = in.read();
            int lf = in.read();
            if (cr < 0 || lf < 0) {
                throw incomplete("a chunk");
            }
            if (cr != '\r' || lf != '\n') {
                throw new Rejected(400, "chunk data longer than its size (no CRLF after it)");
            }
        }
    }

    /** Counts header and trailer lines and bytes against the limits, answered with 431 (RFC 6585 §5). */
    private static final class HeaderBudget {
        int fields;
        int bytes;
    }

    private static String readHeaderLine(InputStream in, HeaderBudget budget) throws IOException, Rejected {
        String line = readLine(
                in,
                MAX_HEADER_BYTES - budget.bytes,
                false,
                431,
                "request headers larger than " + MAX_HEADER_BYTES + " bytes");
        budget.bytes += line.length() + 2;
        if (!line.isEmpty() && ++budget.fields > MAX_HEADER_FIELDS) {
            throw new Rejected(431, "more than " + MAX_HEADER_FIELDS + " header fields");
        }
        if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
            // RFC 9112 §5.2: a server MUST either reject obs-fold with 400 or unfold it; we reject.
            throw new Rejected(400, "folded header line (obs-fold)");
        }
        return line;
    }

    /** The field name before the colon: a token, with no whitespace before the colon (RFC 9112 §5.1). */
    private static String fieldName(String line, int colon) throws Rejected {
        String name = colon < 0 ? "" : line.substring(0, colon);
        if (!isToken(name)) {
            throw new Rejected(400, "malformed header line");
        }
        return name;
    }

    /** The value without surrounding whitespace; CR, LF, NUL and other controls are refused (RFC 9110 §5.5). */
    private static String fieldValue(String line, int colon, String name) throws Rejected {
        String value = line.substring(colon + 1).strip();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new Rejected(400, "control character in header " + name);
            }
        }
        return value;
    }

    private static final String TCHARS = "!#$%&'*+-.^_`|~";

    /** RFC 9110 §5.6.2 token. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || TCHARS.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** Visible ASCII only: a request target has no whitespace, controls or raw non-ASCII octets (RFC 3986). */
    private static boolean isTarget(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** The path of an absolute-form target, which a server MUST accept (RFC 9112 §3.2.2); others as sent. */
    private static String originPath(String path) {
        int scheme = path.indexOf("://");
        if (path.startsWith("/") || scheme < 0) {
            return path;
        }
        int slash = path.indexOf('/', scheme + 3);
        return slash < 0 ? "/" : path.substring(slash);
    }

    private static Rejected incomplete(String where) {
        return new Rejected(400, "connection closed inside " + where);
    }

    /**
     * One CRLF-terminated line (RFC 9112 §2.2): a bare LF or a bare CR is refused rather than taken as a line end,
     * since parsers that disagree on line ends disagree on where a request ends. A line longer than {@code limit} is
     * answered with {@code tooLong}; at the start of a request ({@code startOfRequest}), null when the connection
     * ends before any byte.
     */
    private static String readLine(InputStream in, int limit, boolean startOfRequest, int tooLong, String message)
            throws IOException, Rejected {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (startOfRequest && line.isEmpty()) {
                    return null;
                }
                throw incomplete("a request");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new Rejected(400, "bare CR in the request (lines end in CRLF)");
                }
                return line.toString();
            }
            if (b == '\n') {
                throw new Rejected(400, "bare LF in the request (lines end in CRLF)");
            }
            if (line.length() >= limit) {
                throw new Rejected(tooLong, message);
            }
            line.append((char) b);
        }
    }

    private static byte[] encode(Response response, boolean close, boolean head) {
        StringBuilder text = new StringBuilder(256)
                .append("HTTP/1.1 ")
                .append(response.status())
                .append(' ')
                .append(reason(response.status()))
                .append("\r\n");
        if (response.contentType() != null) {
            text.append("Content-Type: ").append(response.contentType()).append("\r\n");
        }
        response.headers()
                .forEach((name, value) ->
                        text.append(name).append(": ").append(value).append("\r\n"));
        text.append("Content-Length: ").append(response.body().length).append("\r\n");
        if (close) {
            text.append("Connection: close\r\n");
        }
        byte[] headBytes = text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        if (head || response.body().length == 0) {
            return headBytes;
        }
        byte[] all = new byte[headBytes.length + response.body().length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(response.body(), 0, all, headBytes.length, response.body().length);
        return all;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 501 -> "Not Implemented";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status " + status;
        };
    }

    @Override
    public void close() {
        running = false;
        try {
            listener.close();
        } catch (IOException e) {
            // closing: nothing left to do
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed by its client
            }
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
