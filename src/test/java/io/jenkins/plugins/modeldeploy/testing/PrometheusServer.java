package io.jenkins.plugins.modeldeploy.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A private Prometheus (Debian's {@code /usr/bin/prometheus}) on 127.0.0.1 that scrapes one target every second,
 * with its data in a temporary directory.
 */
public final class PrometheusServer implements AutoCloseable {
    private final Process process;
    private final URI url;
    private final Path dir;

    private PrometheusServer(Process process, URI url, Path dir) {
        this.process = process;
        this.url = url;
        this.dir = dir;
    }

    /** Starts Prometheus scraping {@code target} ({@code host:port}, path /metrics) and waits until it is ready. */
    public static PrometheusServer start(String target) throws IOException, InterruptedException {
        Path binary = Path.of("/usr/bin/prometheus");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(
                    "Prometheus is not installed: run bin/setup test (Debian package" + " prometheus)");
        }
        Path dir = Files.createTempDirectory("model-deploy-prometheus-");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
                config,
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
                        + "  - job_name: traefik\n    static_configs:\n      - targets: ['" + target + "']\n");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder(List.of(
                        binary.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        URI url = URI.create("http://127.0.0.1:" + port);
        PrometheusServer server = new PrometheusServer(process, url, dir);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = Files.readString(dir.resolve("prometheus.log"));
                server.close();
                throw new IllegalStateException("Prometheus exited: " + log);
            }
            try {
                if (http.send(
                                        HttpRequest.newBuilder(url.resolve("/-/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return server;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        server.close();
        throw new IllegalStateException("Prometheus was not ready within 60 s");
    }

    public URI url() {
        return url;
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
