package io.jenkins.plugins.modeldeploy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A private RabbitMQ node (Debian's rabbitmq-server) on 127.0.0.1 for one test class: its own node name, ports and
 * data directory, so it never touches a system broker. {@link #stopApp()} and {@link #startApp()} stop and start
 * the broker application inside the running node, as an operator's restart does: connections drop, durable queues
 * and persistent messages survive.
 */
public final class RabbitMqBroker implements AutoCloseable {
    // The scripts behind Debian's /usr/sbin wrappers: the wrappers switch to the rabbitmq user, who cannot enter the
    // test's private temporary directory. These run as the test's own user, with its own Erlang cookie.
    private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
    private static final Path CTL = Path.of("/usr/lib/rabbitmq/bin/rabbitmqctl");

    private final String node;
    private final int port;
    private final Path base;
    private final Process process;
    private final Map<String, String> env;

    private RabbitMqBroker(String node, int port, Path base, Process process, Map<String, String> env) {
        this.node = node;
        this.port = port;
        this.base = base;
        this.process = process;
        this.env = env;
    }

    public static RabbitMqBroker start(Path base) throws IOException, InterruptedException {
        if (!Files.isExecutable(SERVER)) {
            throw new IllegalStateException(SERVER + " is missing: bin/setup test installs rabbitmq-server");
        }
        String node = "mdtest" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
        int port = freePort();
        int distPort = freePort();
        Files.createDirectories(base);
        Path enabledPlugins = base.resolve("enabled_plugins");
        Files.writeString(enabledPlugins, "[].\n");
        Path config = base.resolve("rabbitmq.conf");
        Files.writeString(config, "listeners.tcp.default = 127.0.0.1:" + port + "\n" + "loopback_users.guest = true\n");
        Map<String, String> env = Map.of(
                "RABBITMQ_NODENAME", node,
                "RABBITMQ_NODE_PORT", Integer.toString(port),
                "RABBITMQ_DIST_PORT", Integer.toString(distPort),
                "RABBITMQ_MNESIA_BASE", base.resolve("mnesia").toString(),
                "RABBITMQ_LOG_BASE", base.resolve("log").toString(),
                "RABBITMQ_ENABLED_PLUGINS_FILE", enabledPlugins.toString(),
                "RABBITMQ_CONFIG_FILE", config.toString().replace(".conf", ""),
                "RABBITMQ_PID_FILE", base.resolve("rabbit.pid").toString(),
                "HOME", System.getProperty("user.home"));
        ProcessBuilder builder = new ProcessBuilder(SERVER.toString())
                .redirectErrorStream(true)
                .redirectOutput(base.resolve("server.out").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        RabbitMqBroker broker = new RabbitMqBroker(node, port, base, process, env);
        broker.awaitPort(90);
        return broker;
    }

    public String amqpUri() {
        return "amqp://guest:guest@127.0.0.1:" + port; // no path: the default virtual host "/"
    }

    public int port() {
        return port;
    }

    /** Stops the broker application: every connection drops, the node keeps running. */
    public void stopApp() throws IOException, InterruptedException {
        ctl("stop_app");
    }

    public void startApp() throws IOException, InterruptedException {
        ctl("start_app");
        awaitPort(60);
    }

    /** Runs rabbitmqctl against this node and returns its output. */
    public String ctl(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(CTL.toString(), "-n", node));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process ctl = builder.start();
        String output = new String(ctl.getInputStream().readAllBytes());
        if (!ctl.waitFor(60, TimeUnit.SECONDS) || ctl.exitValue() != 0) {
            throw new IOException("rabbitmqctl " + String.join(" ", args) + " failed: " + output);
        }
        return output;
    }

    private void awaitPort(int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("rabbitmq-server exited with " + process.exitValue() + ": "
                        + Files.readString(base.resolve("server.out")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IOException("RabbitMQ did not listen on " + port + " within " + seconds + " s: "
                + Files.readString(base.resolve("server.out")));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            ctl("stop");
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
