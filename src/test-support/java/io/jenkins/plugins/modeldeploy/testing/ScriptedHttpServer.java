package io.jenkins.plugins.modeldeploy.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A minimal HTTP/1.1 keep-alive server on loopback for load-generator tests: fast (one thread per connection, no
 * parsing beyond what framing needs), records when each request arrived, and answers as a script says.
 */
public final class ScriptedHttpServer implements AutoCloseable {
    /** What to do with one request. */
    public record Answer(int status, String body, long delayUntilNanos) {
        public static Answer ok(String body) {
            return new Answer(200, body, 0);
        }
    }

    /** Decides the answer from the arrival time (System.nanoTime), the request's path and its body. */
    public interface Script {
        Answer answer(long arrivalNanos, String path, String body);
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "scripted-http");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
    private final Script script;

    public ScriptedHttpServer(Script script) throws IOException {
        this.script = script;
        server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    /** Arrival times (System.nanoTime) of every request so far, in arrival order. */
    public List<Long> arrivals() {
        synchronized (arrivals) {
            return List.copyOf(arrivals);
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket;
                InputStream in = new BufferedInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream()) {
            while (true) {
                String requestLine = readLine(in);
                if (requestLine == null) {
                    return;
                }
                long arrival = System.nanoTime();
                arrivals.add(arrival);
                int length = 0;
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                String[] parts = requestLine.split(" ");
                Answer answer = script.answer(arrival, parts.length > 1 ? parts[1] : "", body);
                long wait = answer.delayUntilNanos() - System.nanoTime();
                if (answer.delayUntilNanos() != 0 && wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                byte[] payload = answer.body().getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 " + answer.status() + " X\r\nContent-Type: application/json\r\nContent-Length: "
                                + payload.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(payload);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // client went away or the server is closing
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
        return line.length() == 0 ? null : line.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
