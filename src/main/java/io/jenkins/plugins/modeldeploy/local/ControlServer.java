package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The daemon's control API: HTTP/1.1 on 127.0.0.1, every request authenticated with the bearer token from the
 * state directory's {@code token} file (readable by its owner only). Each answer is JSON lines: the events the
 * operation published as it went ({@code {"event": …}}, streamed, so a long rollout shows its progress), then one
 * {@code {"result": …}} or {@code {"error": …}} line. An error found before any event was sent also sets the status
 * code (400 bad request, 401 bad token, 404 unknown request, 409 the target refused or failed, 503 stopping).
 */
final class ControlServer implements AutoCloseable {
    /** One operation: its result, or an exception that the answer's error line describes. */
    interface Handler {
        JsonNode handle(Request request, Consumer<DeploymentEvent> events) throws Exception;
    }

    record Request(String method, String path, Map<String, String> query, JsonNode body) {
        String query(String name) throws BadRequest {
            String value = query.get(name);
            if (value == null || value.isEmpty()) {
                throw new BadRequest("the query parameter \"" + name + "\" is missing");
            }
            return value;
        }
    }

    /** The request itself is wrong (missing field, malformed JSON). */
    static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final byte[] token;
    private final Map<String, Handler> handlers;
    private final BooleanSupplier stopping;

    private ControlServer(
            HttpServer server,
            ExecutorService threads,
            String token,
            Map<String, Handler> handlers,
            BooleanSupplier stopping) {
        this.server = server;
        this.threads = threads;
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.handlers = Map.copyOf(handlers);
        this.stopping = stopping;
    }

    /** @param handlers by {@code "METHOD /path"} */
    static ControlServer start(String token, Map<String, Handler> handlers, BooleanSupplier stopping)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
        AtomicInteger count = new AtomicInteger();
        ExecutorService threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "model-deploy-control-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        ControlServer control = new ControlServer(server, threads, token, handlers, stopping);
        server.createContext("/", control::serve);
        server.start();
        return control;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void serve(HttpExchange exchange) {
        try (exchange) {
            Answer answer = new Answer(exchange);
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null
                    || !MessageDigest.isEqual(token, authorization.getBytes(StandardCharsets.UTF_8))) {
                answer.fail(
                        ControlError.of(
                                ControlError.Kind.UNAUTHORIZED,
                                "the local target refused the request:"
                                        + (authorization == null ? " no token" : " wrong token")
                                        + " (the control API takes the"
                                        + " token from the state directory's token file, readable by the user who started it)"));
                return;
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            Handler handler = handlers.get(method + " " + path);
            if (handler == null) {
                answer.fail(ControlError.of(
                        ControlError.Kind.NOT_FOUND, "the local target has no control request " + method + " " + path));
                return;
            }
            if (stopping.getAsBoolean()) {
                answer.fail(ControlError.of(ControlError.Kind.STOPPING, "the local target is stopping"));
                return;
            }
            try {
                JsonNode body = Wire.JSON.createObjectNode();
                byte[] bytes = exchange.getRequestBody().readAllBytes();
                if (bytes.length > 0) {
                    try {
                        body = Wire.JSON.readTree(bytes);
                    } catch (IOException e) {
                        throw new BadRequest("the request body is not JSON: " + e.getMessage());
                    }
                }
                Request request =
                        new Request(method, path, query(exchange.getRequestURI().getRawQuery()), body);
                JsonNode result = handler.handle(request, answer::event);
                answer.finish(result);
            } catch (BadRequest e) {
                answer.fail(ControlError.of(ControlError.Kind.BAD_REQUEST, e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer.fail(ControlError.of(ControlError.Kind.STOPPING, "the local target is stopping"));
            } catch (Exception e) {
                answer.fail(ControlError.of(e));
            }
        } catch (IOException e) {
            // the client went away: nobody to answer
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw == null) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            values.put(
                    URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return values;
    }

    /** The answer: headers go out with the first event (200, streamed) or with the outcome (its own status). */
    private static final class Answer {
        private final HttpExchange exchange;
        private OutputStream body;

        Answer(HttpExchange exchange) {
            this.exchange = exchange;
        }

        synchronized void event(DeploymentEvent event) {
            ObjectNode line = Wire.JSON.createObjectNode();
            line.set("event", EventJson.toTree(event));
            try {
                if (body == null) {
                    exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
                    exchange.sendResponseHeaders(200, 0);
                    body = exchange.getResponseBody();
                }
                body.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                body.flush();
            } catch (IOException e) {
                // the client went away; the operation goes on (its outcome is stored) without an audience
            }
        }

        synchronized void finish(JsonNode result) throws IOException {
            ObjectNode line = Wire.JSON.createObjectNode();
            line.set("result", result);
            end(200, line);
        }

        synchronized void fail(ControlError error) throws IOException {
            end(error.kind().status, error.json());
        }

        private void end(int status, JsonNode line) throws IOException {
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            if (body == null) {
                exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
                exchange.sendResponseHeaders(status, bytes.length);
                body = exchange.getResponseBody();
            }
            body.write(bytes);
            body.close();
        }
    }

    /** Refuses new requests, interrupts the running ones (a rollout waiting for its process stops it) and waits. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
