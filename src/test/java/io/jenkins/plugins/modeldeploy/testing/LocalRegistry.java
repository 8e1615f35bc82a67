package io.jenkins.plugins.modeldeploy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Debian's distribution registry ({@code docker-registry}) on 127.0.0.1 with its own storage, optionally behind
 * htpasswd basic auth (then over TLS with a self-signed certificate, as Jib sends credentials only over HTTPS), plus
 * a small client for the registry HTTP API to read back what was pushed.
 */
public final class LocalRegistry implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final String authorization;
    private final HttpClient http;

    private LocalRegistry(Process process, int port, String authorization) {
        this.process = process;
        this.port = port;
        this.authorization = authorization;
        this.http = authorization == null
                ? HttpClient.newHttpClient()
                : HttpClient.newBuilder().sslContext(trustAll()).build();
    }

    /** Test-only: trusts the registry's self-signed certificate. */
    private static javax.net.ssl.SSLContext trustAll() {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(
                    null,
                    new javax.net.ssl.TrustManager[] {
                        new javax.net.ssl.X509TrustManager() {
                            @Override
                            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String type) {}

                            @Override
                            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String type) {}

                            @Override
                            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                                return new java.security.cert.X509Certificate[0];
                            }
                        }
                    },
                    null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param user null for an open registry, else the only user, with {@code password} */
    public static LocalRegistry start(Path dir, String user, String password) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: bin/setup test installs docker-registry");
        }
        Files.createDirectories(dir);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        StringBuilder config = new StringBuilder("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
                + "    rootdirectory: " + dir.resolve("data")
                + "\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:"
                + port + "\n");
        if (user != null) {
            Process htpasswd = new ProcessBuilder("htpasswd", "-Bbn", user, password).start();
            String line = new String(htpasswd.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (htpasswd.waitFor() != 0 || line.isEmpty()) {
                throw new IOException("htpasswd failed (apache2-utils)");
            }
            Files.writeString(dir.resolve("htpasswd"), line + "\n");
            Process openssl = new ProcessBuilder(
                            "openssl",
                            "req",
                            "-x509",
                            "-newkey",
                            "rsa:2048",
                            "-nodes",
                            "-keyout",
                            dir.resolve("key.pem").toString(),
                            "-out",
                            dir.resolve("cert.pem").toString(),
                            "-days",
                            "2",
                            "-subj",
                            "/CN=127.0.0.1",
                            "-addext",
                            "subjectAltName=IP:127.0.0.1")
                    .redirectErrorStream(true)
                    .start();
            openssl.getInputStream().readAllBytes();
            if (openssl.waitFor() != 0) {
                throw new IOException("openssl could not make a test certificate");
            }
            config.append("  tls:\n    certificate: ")
                    .append(dir.resolve("cert.pem"))
                    .append("\n    key: ")
                    .append(dir.resolve("key.pem"))
                    .append('\n');
            config.append("auth:\n  htpasswd:\n    realm: model-deploy-test\n    path: ")
                    .append(dir.resolve("htpasswd"))
                    .append('\n');
        }
        Path configFile = dir.resolve("config.yml");
        Files.writeString(configFile, config);
        Process process = new ProcessBuilder(BINARY.toString(), "serve", configFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        String authorization = user == null
                ? null
                : "Basic "
                        + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        LocalRegistry registry = new LocalRegistry(process, port, authorization);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return registry;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    registry.close();
                    throw new IOException("registry did not start: " + Files.readString(dir.resolve("registry.log")));
                }
                Thread.sleep(100);
            }
        }
    }

    /** {@code 127.0.0.1:PORT}. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** The manifest of {@code repository:reference} (tag or digest), or null when the registry has none. */
    public JsonNode manifest(String repository, String reference) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = get(
                "/v2/" + repository + "/manifests/" + reference,
                "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json");
        return response.statusCode() == 404 ? null : JSON.readTree(response.body());
    }

    /** The digest the registry gives for {@code repository:tag}. */
    public String digest(String repository, String tag) throws IOException, InterruptedException {
        return get("/v2/" + repository + "/manifests/" + tag, "application/vnd.oci.image.manifest.v1+json")
                .headers()
                .firstValue("Docker-Content-Digest")
                .orElse(null);
    }

    public JsonNode blobJson(String repository, String digest) throws IOException, InterruptedException {
        return JSON.readTree(
                get("/v2/" + repository + "/blobs/" + digest, "*/*").body());
    }

    private HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        String scheme = authorization == null ? "http://" : "https://";
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(scheme + host() + path)).header("Accept", accept);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200 && response.statusCode() != 404) {
            throw new IOException("GET " + path + ": " + response.statusCode() + " "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return response;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
