package io.jenkins.plugins.modeldeploy.local;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
    static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int IDLE_TIMEOUT_MILLIS = 120_000;

    /** A parsed request; {@code rawTarget} is the path and query as sent. */
    record Request(String method, String rawPath, String rawQuery, String contentType, byte[] body) {}

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
                Response response = exchange.rejection != null ? exchange.rejection : handler.handle(exchange.request);
                boolean head = exchange.request != null && "HEAD".equals(exchange.request.method());
                out.write(encode(response, exchange.close, head));
                out.flush();
                if (exchange.close) {
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

    /** Reads one request; null at a clean end of the connection. */
    private Exchange read(InputStream in, OutputStream out) throws IOException {
        String requestLine;
        try {
            requestLine = readLine(in, true);
        } catch (EOFException e) {
            return null;
        }
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            return new Exchange(null, rejections.reject(400, "malformed request line"), true);
        }
        boolean http10 = parts[2].equals("HTTP/1.0");
        long length = 0;
        boolean chunked = false;
        boolean close = http10;
        boolean expectContinue = false;
        String contentType = null;
        int headerBytes = requestLine.length();
        for (String line = readLine(in, false); !line.isEmpty(); line = readLine(in, false)) {
            headerBytes += line.length() + 2;
            if (headerBytes > MAX_HEADER_BYTES) {
                return new Exchange(
                        null,
                        rejections.reject(431, "request headers larger than " + MAX_HEADER_BYTES + " bytes"),
                        true);
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                return new Exchange(null, rejections.reject(400, "malformed header line"), true);
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> {
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        return new Exchange(null, rejections.reject(400, "Content-Length is not a number"), true);
                    }
                }
                case "transfer-encoding" ->
                    chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" ->
                    close = value.equalsIgnoreCase("close") || http10 && !value.equalsIgnoreCase("keep-alive");
                case "expect" -> expectContinue = value.equalsIgnoreCase("100-continue");
                case "content-type" -> contentType = value;
                default -> {}
            }
        }
        if (!chunked && length > maxBodyBytes) {
            return new Exchange(
                    null, rejections.reject(413, "request body larger than " + maxBodyBytes + " bytes"), true);
        }
        if (expectContinue) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body;
        if (chunked) {
            body = readChunked(in);
            if (body == null) {
                return new Exchange(
                        null, rejections.reject(413, "request body larger than " + maxBodyBytes + " bytes"), true);
            }
        } else {
            body = in.readNBytes((int) length);
            if (body.length != length) {
                throw new EOFException("connection closed inside the request body");
            }
        }
        String target = parts[1];
        int question = target.indexOf('?');
        String path = question < 0 ? target : target.substring(0, question);
        String query = question < 0 ? null : target.substring(question + 1);
        return new Exchange(new Request(parts[0], path, query, contentType, body), null, close);
    }

    private byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, false);
            int semicolon = sizeLine.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size");
            }
            if (size == 0) {
                while (!readLine(in, false).isEmpty()) {
                    // trailers are ignored
                }
                return body.toByteArray();
            }
            if (body.size() + (long) size > maxBodyBytes) {
                return null;
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new EOFException("connection closed inside a chunk");
            }
            body.writeBytes(chunk);
            readLine(in, false);
        }
    }

    /** A CRLF- (or LF-) terminated line; at the start of a request, null when the connection ends cleanly. */
    private static String readLine(InputStream in, boolean startOfRequest) throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (startOfRequest && line.length() == 0) {
                    return null;
                }
                throw new EOFException("connection closed inside a request");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            if (line.length() > MAX_HEADER_BYTES) {
                throw new IOException("header line longer than " + MAX_HEADER_BYTES + " bytes");
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
            case 415 -> "Unsupported Media Type";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
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
