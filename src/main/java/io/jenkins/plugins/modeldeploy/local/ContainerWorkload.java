package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.smoke.Http1Connection;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A version served by its image, run with the project's podman configuration on the host network, its harness
 * bound to 127.0.0.1 on a free port: the same image that goes to Kubernetes, behind the same local gateway.
 */
final class ContainerWorkload implements Workload {
    private static final int STOP_SECONDS = 15;
    private static final String RUN_LABEL = Podman.RUN_LABEL;
    private static final String RUN = Podman.RUN;

    private final Podman podman;
    private final String container;
    private final URI url;
    private final CompletableFuture<Void> exited = new CompletableFuture<>();

    private ContainerWorkload(Podman podman, String container, URI url) {
        this.podman = podman;
        this.container = container;
        this.url = url;
    }

    /** Loads the image when it comes as a tar, starts it and waits until the harness is ready. */
    static ContainerWorkload start(Podman podman, RolloutRequest request, double injectedErrorRate)
            throws RolloutException, InterruptedException {
        VersionRef ref = request.ref();
        String object = "local container " + ref.id();
        String image = request.image()
                .orElseThrow(() -> new RolloutException(
                        object,
                        "no image",
                        "the container runtime runs the version's image; build one first (or use the process runtime)",
                        List.of()));
        try {
            if (request.imageArchive().isPresent()) {
                String loaded = podman.run(
                        600,
                        "load",
                        "--quiet",
                        "--input",
                        request.imageArchive().get().toString());
                // "Loaded image: localhost/models/iris:2" (one line per tag)
                image = loaded.lines()
                        .filter(l -> l.startsWith("Loaded image"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst()
                        .orElse(image);
            }
            int port = freePort();
            // registered before the container exists: a signal between `podman run` and its answer still finds it
            podman.removeOnExit();
            List<String> args = new ArrayList<>(List.of(
                    "run",
                    "--detach",
                    "--rm",
                    // the container gets the image's environment and what is named here, nothing of ours: no host
                    // variables (a containers.conf may turn env_host on) and no proxy variables, whose URLs can
                    // carry credentials; as in a pod, model.yaml's env is the only way in
                    "--env-host=false",
                    "--http-proxy=false",
                    "--label",
                    RUN_LABEL + "=" + RUN,
                    "--network",
                    "host",
                    "--name",
                    "model-deploy-" + ref.id() + "-" + port,
                    "--env",
                    "MODEL_DEPLOY_VERSION=" + ref.version()));
            if (injectedErrorRate > 0) {
                args.addAll(List.of("--env", HarnessOptions.INJECT_ERROR_RATE_ENV + "=" + injectedErrorRate));
            }
            args.addAll(List.of(image, "--host", "127.0.0.1", "--port", Integer.toString(port)));
            String container = podman.run(120, args.toArray(String[]::new))
                    .lines()
                    .reduce((a, b) -> b)
                    .orElseThrow();
            ContainerWorkload workload =
                    new ContainerWorkload(podman, container, URI.create("http://127.0.0.1:" + port));
            workload.watchExit();
            workload.awaitReady(object, request.timeout());
            return workload;
        } catch (IOException e) {
            throw new RolloutException(object, "container did not start", e.getMessage(), List.of());
        }
    }

    private void watchExit() throws IOException {
        Process wait = podman.start("wait", container);
        wait.onExit().thenRun(() -> exited.complete(null));
    }

    private void awaitReady(String object, Duration timeout) throws RolloutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] probe = Http1Connection.request(
                "GET",
                "/v2/health/ready",
                url.getHost() + ":" + url.getPort(),
                null,
                "model-deploy-local",
                new byte[0]);
        while (true) {
            if (exited.isDone()) {
                throw new RolloutException(object, "container exited", "before it was ready", logTail());
            }
            try (Http1Connection connection = new Http1Connection(url, 1_000, 2_000)) {
                if (connection.exchange(probe).status() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                List<String> tail = logTail();
                close();
                throw new RolloutException(
                        object, "readiness never true", "not ready within " + timeout.toSeconds() + " s", tail);
            }
            Thread.sleep(200);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public URI url() {
        return url;
    }

    @Override
    public String id() {
        return "container " + container.substring(0, Math.min(12, container.length()));
    }

    @Override
    public boolean isAlive() {
        return !exited.isDone();
    }

    @Override
    public void onExit(Runnable action) {
        exited.thenRun(action);
    }

    @Override
    public List<String> logTail() {
        try {
            return podman.run(30, "logs", "--tail", "20", container).lines().toList();
        } catch (IOException e) {
            return List.of("(no log: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    @Override
    public void close() {
        try {
            podman.run(STOP_SECONDS + 30, "stop", "--time", Integer.toString(STOP_SECONDS), container);
        } catch (IOException e) {
            // already gone (--rm removed it when it exited)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
