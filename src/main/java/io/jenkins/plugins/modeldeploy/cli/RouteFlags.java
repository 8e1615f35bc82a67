package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.route.ObjectApplier;
import io.jenkins.plugins.modeldeploy.route.RouteOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The cluster's Traefik route options (a model's {@code route:} in model.yaml overrides them field by field). */
final class RouteFlags {
    @Option(
            names = "--entry-point",
            paramLabel = "NAME",
            description = "A Traefik entry point the routes listen on (repeatable). Default: websecure with TLS, else"
                    + " web.")
    List<String> entryPoints = new ArrayList<>();

    @Option(
            names = "--tls-secret",
            paramLabel = "SECRET",
            description = "Serve the routes over TLS with this certificate Secret (in the namespace).")
    String tlsSecret;

    @Option(
            names = "--tls-cert-resolver",
            paramLabel = "RESOLVER",
            description = "Serve the routes over TLS with a certificate from this Traefik certificate resolver.")
    String tlsCertResolver;

    @Option(
            names = "--middleware",
            paramLabel = "[NAMESPACE/]NAME",
            description = "An operator-provided Traefik Middleware (auth, rate limit...) in front of every route"
                    + " (repeatable, in order).")
    List<String> middlewares = new ArrayList<>();

    @Option(
            names = "--apply-mode",
            paramLabel = "OWNED_FIELDS|SERVER_SIDE_APPLY",
            defaultValue = "OWNED_FIELDS",
            description = "How Traefik objects are written: GET and PUT of the fields the tool owns (works everywhere),"
                    + " or server-side apply with field manager model-deploy. Default: ${DEFAULT-VALUE}.")
    ObjectApplier.Mode applyMode;

    /** The options, or a ParameterException naming the flag. */
    RouteOptions options(CommandLine commandLine) {
        if (tlsSecret != null && tlsCertResolver != null) {
            throw new CheckedUsageError(commandLine, "--tls-secret and --tls-cert-resolver exclude each other");
        }
        Optional<RouteOptions.Tls> tls = tlsSecret != null
                ? Optional.of(RouteOptions.Tls.secret(tlsSecret))
                : Optional.ofNullable(tlsCertResolver).map(RouteOptions.Tls::resolver);
        RouteOptions options = new RouteOptions(
                entryPoints,
                tls,
                middlewares.stream().map(RouteOptions.MiddlewareRef::parse).toList());
        try {
            return options.validated("route");
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            String flag = message.startsWith("route.entryPoints")
                    ? "--entry-point"
                    : message.startsWith("route.tls.secretName")
                            ? "--tls-secret"
                            : message.startsWith("route.tls") ? "--tls-cert-resolver" : "--middleware";
            throw new CommandLine.ParameterException(commandLine, flag + ": " + message);
        }
    }
}
