package io.jenkins.plugins.modeldeploy.harness;

import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run a harness process locally.
 *
 * @param python       the interpreter; Debian's {@code /usr/bin/python3} has the packages models need
 * @param readyTimeout how long the model may take to load before the start is a failure
 * @param drainTimeout how long in-flight requests may take to finish after a stop
 * @param injectedErrorRate share of predictions the harness fails on purpose (503, marked by the {@value
 *                     #INJECTED_FAULT_HEADER} header): how the demo makes a version measurably worse; 0 otherwise
 */
@SuppressFBWarnings(
        value = "DMI_HARDCODED_ABSOLUTE_FILENAME",
        justification = "DEFAULT_PYTHON is Debian's python3; an option overrides it")
public record HarnessOptions(
        Path python, String host, int port, Duration readyTimeout, Duration drainTimeout, double injectedErrorRate) {
    public static final String INJECTED_FAULT_HEADER = "X-Model-Deploy-Injected-Fault";
    public static final String INJECT_ERROR_RATE_ENV = "MODEL_DEPLOY_INJECT_ERROR_RATE";
    public static final Path DEFAULT_PYTHON = Path.of("/usr/bin/python3");

    public HarnessOptions {
        Objects.requireNonNull(python, "python");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (!(injectedErrorRate >= 0 && injectedErrorRate <= 1)) {
            throw new IllegalArgumentException("injected error rate must be between 0 and 1, was " + injectedErrorRate);
        }
    }

    /** Loopback, a free port, 2 minutes to load, 10 s to drain. */
    public static HarnessOptions loopback() {
        return new HarnessOptions(defaultPython(), "127.0.0.1", 0, Duration.ofMinutes(2), Duration.ofSeconds(10), 0);
    }

    public HarnessOptions withPort(int newPort) {
        return new HarnessOptions(python, host, newPort, readyTimeout, drainTimeout, injectedErrorRate);
    }

    public HarnessOptions withHost(String newHost) {
        return new HarnessOptions(python, newHost, port, readyTimeout, drainTimeout, injectedErrorRate);
    }

    public HarnessOptions withReadyTimeout(Duration timeout) {
        return new HarnessOptions(python, host, port, timeout, drainTimeout, injectedErrorRate);
    }

    public HarnessOptions withDrainTimeout(Duration timeout) {
        return new HarnessOptions(python, host, port, readyTimeout, timeout, injectedErrorRate);
    }

    public HarnessOptions withInjectedErrorRate(double rate) {
        return new HarnessOptions(python, host, port, readyTimeout, drainTimeout, rate);
    }

    /** {@code MODEL_DEPLOY_PYTHON} when set, else {@code /usr/bin/python3}. */
    public static Path defaultPython() {
        String override = System.getenv("MODEL_DEPLOY_PYTHON");
        return override != null && !override.isBlank() ? Path.of(override) : DEFAULT_PYTHON;
    }
}
