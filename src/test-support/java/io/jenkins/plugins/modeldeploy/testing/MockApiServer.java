package io.jenkins.plugins.modeldeploy.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's mock API server in CRUD mode on 127.0.0.1, with what the CRUD store cannot do added in front of it:
 * request counting (to prove "no write" and "no polling"), container logs (the {@code pods/log} subresource, which
 * CRUD mode does not serve; expectations would need the exact query string), and watch faults: dropping every open
 * watch connection, and answering the next watches with {@code 410 Gone} as an API server does when the requested
 * resourceVersion has been compacted away. Creates and replaces are defaulted and their quantities canonicalised as
 * by a real API server ({@link ApiDefaults}), and a verb on a resource can be forbidden (403, as RBAC answers).
 */
public final class MockApiServer implements AutoCloseable {
    private static final Pattern RESOURCE = Pattern.compile(
            "^/(?:api/v1|apis/([a-z0-9.]+)/v[0-9a-z]+)/namespaces/([^/]+)/([a-z]+)(?:/([^/?]+))?(?:/[^?]*)?(?:\\?.*)?$");
    private static final Pattern LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");

    /** Requests carrying this header are also counted per value (see {@link #client(String)}). */
    public static final String CALLER_HEADER = "X-Test-Caller";

    private final KubernetesMockServer server;
    private final FaultDispatcher dispatcher;

    public MockApiServer() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        dispatcher = new FaultDispatcher(new KubernetesMixedDispatcher(responses));
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public KubernetesClient client() {
        return server.createClient();
    }

    /** A client whose requests are counted under {@code caller} (to tell the code under test from the simulator). */
    public KubernetesClient client(String caller) {
        io.fabric8.kubernetes.client.Config base;
        try (KubernetesClient plain = server.createClient()) {
            base = plain.getConfiguration();
        }
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(base)
                        .withCustomHeaders(Map.of(CALLER_HEADER, caller))
                        .build())
                .build();
    }

    /** Requests so far from clients made with {@link #client(String)} for {@code caller} (watches count once). */
    public int requestsFrom(String caller) {
        AtomicInteger count = dispatcher.byCaller.get(caller);
        return count == null ? 0 : count.get();
    }

    public String url() {
        return server.url("/");
    }

    /** A kubeconfig file whose only context points at this server (what the CLI and KubernetesTarget read). */
    public Path writeKubeconfig(Path dir, String namespace) throws IOException {
        String yaml = "apiVersion: v1\nkind: Config\nclusters:\n- name: mock\n  cluster:\n    server: " + url()
                + "\ncontexts:\n- name: mock\n  context:\n    cluster: mock\n    user: mock\n    namespace: "
                + namespace
                + "\ncurrent-context: mock\nusers:\n- name: mock\n  user:\n    token: test\n";
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, yaml);
        return file;
    }

    /** Writes (POST, PUT, PATCH, DELETE) so far from clients made with {@link #client(String)} for {@code caller}. */
    public int writesFrom(String caller) {
        AtomicInteger count = dispatcher.writesByCaller.get(caller);
        return count == null ? 0 : count.get();
    }

    /** Every request so far. */
    public int requests() {
        return dispatcher.total.get();
    }

    /** Requests that change state (POST, PUT, PATCH, DELETE) so far. */
    public int writes() {
        return dispatcher.writes.get();
    }

    /** Non-watch GETs (lists and reads) so far: a poller would make this grow while nothing changes. */
    public int reads() {
        return dispatcher.reads.get();
    }

    /** Watch requests so far (each reconnect is one). */
    public int watches() {
        return dispatcher.watchRequests.get();
    }

    /** Every request so far as {@code METHOD path}. */
    public List<String> paths() {
        return List.copyOf(dispatcher.paths);
    }

    /** What {@code GET pods/NAME/log} answers (the last lines of the container named in the query). */
    public void setLog(String namespace, String pod, String text) {
        dispatcher.logs.put(namespace + "/" + pod, text);
    }

    /** Watches answered with 410 Gone so far. */
    public int goneSent() {
        return dispatcher.goneSent.get();
    }

    /** Watch connections open now. */
    public int openWatches() {
        return dispatcher.openWatches.size();
    }

    /** Closes every open watch connection, as a load balancer or an API server restart does. */
    public int dropWatches() {
        int dropped = 0;
        for (WebSocket socket : dispatcher.openWatches) {
            socket.close(1001, "dropped by the test");
            dropped++;
        }
        dispatcher.openWatches.clear();
        return dropped;
    }

    /** The next {@code count} PUTs get 409 Conflict, as when another writer got in between our GET and PUT. */
    public void conflictForNextPuts(int count) {
        dispatcher.conflicts.set(count);
    }

    /**
     * From now on, answers {@code verb} ({@code get}, {@code list}, {@code watch}, {@code create}, {@code update},
     * {@code patch}, {@code delete}) on {@code resource} (plural, e.g. {@code horizontalpodautoscalers}) with the 403
     * an API server's RBAC authorizer gives a service account without that permission.
     */
    public void forbid(String verb, String resource) {
        dispatcher.forbidden.add(verb + " " + resource);
    }

    /**
     * The next {@code times} requests with {@code method} ({@code "*"}: any) whose path contains {@code pathPart} are
     * answered with {@code code} and a Status of {@code reason} and {@code message} instead of being served, as an API
     * server answers a verb the Role lacks ({@code 403 Forbidden}) or an update its validation rejects
     * ({@code 422 Invalid}, e.g. a changed Deployment selector: "field is immutable"). {@link Integer#MAX_VALUE}
     * times: until the test ends.
     */
    public void failRequests(String method, String pathPart, int code, String reason, String message, int times) {
        dispatcher.faults.add(new Fault(method, pathPart, code, reason, message, new AtomicInteger(times)));
    }

    /** Requests answered by {@link #failRequests} so far. */
    public int failedRequests() {
        return dispatcher.failed.get();
    }

    private record Fault(String method, String pathPart, int code, String reason, String message, AtomicInteger left) {
        boolean take(String requestMethod, String path) {
            return ("*".equals(method) || method.equals(requestMethod))
                    && path.contains(pathPart)
                    && left.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0;
        }
    }

    /** The next {@code count} watch requests get a 410 Gone ERROR event and are closed. */
    public void goneForNextWatches(int count) {
        dispatcher.gone.set(count);
    }

    @Override
    public void close() {
        server.destroy();
    }

    private static final class FaultDispatcher extends Dispatcher {
        private final Dispatcher delegate;
        final AtomicInteger total = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger watchRequests = new AtomicInteger();
        final AtomicInteger gone = new AtomicInteger();
        final AtomicInteger conflicts = new AtomicInteger();
        final AtomicInteger goneSent = new AtomicInteger();
        final List<String> paths = new CopyOnWriteArrayList<>();
        final List<WebSocket> openWatches = new CopyOnWriteArrayList<>();
        final Map<String, String> logs = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> byCaller = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> writesByCaller = new ConcurrentHashMap<>();
        final java.util.Set<String> forbidden = ConcurrentHashMap.newKeySet();
        final List<Fault> faults = new CopyOnWriteArrayList<>();
        final AtomicInteger failed = new AtomicInteger();

        FaultDispatcher(Dispatcher delegate) {
            this.delegate = delegate;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            total.incrementAndGet();
            String caller = request.getHeader(CALLER_HEADER);
            if (caller != null) {
                byCaller.computeIfAbsent(caller, c -> new AtomicInteger()).incrementAndGet();
            }
            String path = request.getPath();
            paths.add(request.getMethod() + " " + path);
            boolean watch = path.contains("watch=true");
            if (watch) {
                watchRequests.incrementAndGet();
            } else if ("GET".equals(request.getMethod())) {
                reads.incrementAndGet();
            } else {
                writes.incrementAndGet();
                if (caller != null) {
                    writesByCaller
                            .computeIfAbsent(caller, c -> new AtomicInteger())
                            .incrementAndGet();
                }
            }
            for (Fault fault : faults) {
                if (fault.take(request.getMethod(), path)) {
                    failed.incrementAndGet();
                    return new MockResponse()
                            .setResponseCode(fault.code())
                            .setBody(status(
                                    fault.code(),
                                    fault.reason(),
                                    fault.message().replace("\"", "\\\"")));
                }
            }
            Matcher log = LOG.matcher(path);
            if ("GET".equals(request.getMethod()) && log.matches()) {
                String text = logs.get(log.group(1) + "/" + log.group(2));
                return text == null
                        ? new MockResponse()
                                .setResponseCode(404)
                                .setBody(status(404, "NotFound", "no log for pod " + log.group(2)))
                        : new MockResponse().setResponseCode(200).setBody(text);
            }
            Matcher resource = RESOURCE.matcher(path);
            if (!forbidden.isEmpty() && resource.matches()) {
                String verb = verb(request.getMethod(), resource.group(4) != null, watch);
                String plural = resource.group(3);
                if (forbidden.contains(verb + " " + plural)) {
                    String group = resource.group(1) == null ? "" : resource.group(1);
                    // The RBAC authorizer's wording (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/
                    // responsewriters/errors.go, ForbiddenStatus).
                    String message = plural + (group.isEmpty() ? "" : "." + group) + " is forbidden: User"
                            + " \\\"system:serviceaccount:ci:model-deploy\\\" cannot " + verb + " resource \\\""
                            + plural + "\\\" in API group \\\"" + group + "\\\" in the namespace \\\""
                            + resource.group(2) + "\\\"";
                    return new MockResponse().setResponseCode(403).setBody(status(403, "Forbidden", message));
                }
            }
            // getBytes(), not getUtf8Body(): reading the body as a string empties the buffer.
            java.util.Optional<String> defaulted = request.getBody() == null
                    ? java.util.Optional.empty()
                    : ApiDefaults.apply(
                            request.getMethod(),
                            path,
                            new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8));
            if (defaulted.isPresent()) {
                request = new RecordedRequest(
                        request.getHttpVersion(),
                        request.method(),
                        path,
                        request.getHeaders(),
                        new io.fabric8.mockwebserver.http.Buffer(
                                defaulted.get().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            if ("PUT".equals(request.getMethod()) && conflicts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return new MockResponse()
                        .setResponseCode(409)
                        .setBody(status(
                                409,
                                "Conflict",
                                "the object has been"
                                        + " modified; please apply your changes to the latest version and try again"));
            }
            if (watch && gone.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                goneSent.incrementAndGet();
                // What an API server streams on a watch whose resourceVersion has been compacted away: an ERROR
                // event carrying a 410 Status.
                String gone =
                        "{\"type\":\"ERROR\",\"object\":" + status(410, "Expired", "too old resource version") + "}";
                return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket socket, Response response) {
                        // The client closes the stream itself when it reads the 410.
                        socket.send(gone);
                    }
                });
            }
            MockResponse response = delegate.dispatch(request);
            WebSocketListener listener = response.getWebSocketListener();
            if (watch && listener != null) {
                return response.withWebSocketUpgrade(new Tracking(listener, openWatches));
            }
            return response;
        }

        private static String verb(String method, boolean named, boolean watch) {
            return switch (method) {
                case "GET" -> watch ? "watch" : named ? "get" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> named ? "delete" : "deletecollection";
                default -> method.toLowerCase(java.util.Locale.ROOT);
            };
        }

        private static String status(int code, String reason, String message) {
            return "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"" + reason
                    + "\",\"code\":" + code + ",\"message\":\"" + message + "\"}";
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }
    }

    /** Remembers the server side of each watch connection, so that the test can drop it. */
    private static final class Tracking extends WebSocketListener {
        private final WebSocketListener delegate;
        private final List<WebSocket> open;

        Tracking(WebSocketListener delegate, List<WebSocket> open) {
            this.delegate = delegate;
            this.open = open;
        }

        @Override
        public void onBeforeAccept(WebSocket socket, Response response) {
            delegate.onBeforeAccept(socket, response);
        }

        @Override
        public void onOpen(WebSocket socket, Response response) {
            open.add(socket);
            delegate.onOpen(socket, response);
        }

        @Override
        public void onMessage(WebSocket socket, String text) {
            delegate.onMessage(socket, text);
        }

        @Override
        public void onClosing(WebSocket socket, int code, String reason) {
            open.remove(socket);
            delegate.onClosing(socket, code, reason);
        }

        private static void offLoop(Runnable action) {
            Thread thread = new Thread(action, "mock-watch-close");
            thread.setDaemon(true);
            thread.start();
        }

        // The CRUD listener waits for its send queue to drain in onClosed/onFailure; doing that on the server's event
        // loop would block every other connection, so it runs on its own thread.
        @Override
        public void onClosed(WebSocket socket, int code, String reason) {
            open.remove(socket);
            offLoop(() -> delegate.onClosed(socket, code, reason));
        }

        @Override
        public void onFailure(WebSocket socket, Throwable error, Response response) {
            open.remove(socket);
            offLoop(() -> delegate.onFailure(socket, error, response));
        }
    }
}
