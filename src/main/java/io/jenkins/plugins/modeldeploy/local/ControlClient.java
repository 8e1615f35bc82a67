package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** The client side of {@link ControlServer}: one call, its events to a consumer, its result or a typed error. */
final class ControlClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "model-deploy-control-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    /** The daemon answered with an error, or did not answer. */
    static final class ControlException extends Exception {
        private final ControlError error;

        ControlException(ControlError error) {
            super(error.message());
            this.error = error;
        }

        ControlError error() {
            return error;
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
    private final URI base;
    private final String token;
    private final String where;

    /** @param where the daemon, for messages ({@code the local target on DIR}) */
    ControlClient(URI base, String token, String where) {
        this.base = base;
        this.token = token;
        this.where = where;
    }

    JsonNode get(String path, Map<String, String> query, Duration timeout, String doing)
            throws ControlException, InterruptedException {
        String encoded = query.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return call(
                HttpRequest.newBuilder(URI.create(base + path + (encoded.isEmpty() ? "" : "?" + encoded)))
                        .GET(),
                timeout,
                event -> {},
                doing);
    }

    JsonNode post(String path, JsonNode body, Duration timeout, Consumer<DeploymentEvent> events, String doing)
            throws ControlException, InterruptedException {
        return call(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
                timeout,
                events,
                doing);
    }

    /**
     * Sends the request and reads the answer's lines until its result or error, within {@code timeout} in all.
     *
     * @param doing what the call does, for messages ({@code rolling out echo-2})
     */
    private JsonNode call(HttpRequest.Builder builder, Duration timeout, Consumer<DeploymentEvent> events, String doing)
            throws ControlException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<InputStream> response;
        try {
            response = http.send(
                    builder.timeout(timeout)
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw unreachable(doing, "no answer within " + seconds(timeout));
        } catch (IOException e) {
            throw unreachable(doing, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        InputStream body = response.body();
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(
                () -> {
                    timedOut.set(true);
                    try {
                        body.close();
                    } catch (IOException e) {
                        // closing to wake the reader up
                    }
                },
                Math.max(1, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = Wire.JSON.readTree(line);
                if (node.has("event")) {
                    try {
                        events.accept(EventJson.fromTree(node.get("event")));
                    } catch (IOException e) {
                        // an event this client cannot read (a newer daemon) is skipped
                    }
                } else if (node.has("result")) {
                    return node.get("result");
                } else if (node.has("error")) {
                    throw new ControlException(ControlError.parse(node.get("error")));
                }
            }
            throw unreachable(doing, "the answer ended before its result (HTTP " + response.statusCode() + ")");
        } catch (IOException e) {
            throw unreachable(
                    doing,
                    timedOut.get()
                            ? "no result within " + seconds(timeout)
                            : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            watchdog.cancel(false);
        }
    }

    private ControlException unreachable(String doing, String cause) {
        return new ControlException(ControlError.of(
                ControlError.Kind.UNREACHABLE,
                where + " (control API " + base + ") did not answer while " + doing + ": " + cause));
    }

    private static String seconds(Duration duration) {
        return duration.toSeconds() + " s";
    }
}
