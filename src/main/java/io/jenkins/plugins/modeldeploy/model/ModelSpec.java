package io.jenkins.plugins.modeldeploy.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated {@code model.yaml}: what the model is, how to call it and what it must achieve. Instances only come
 * from {@link ModelSpecLoader}, so every field has passed validation.
 *
 * @param directory absolute model directory
 * @param samples   sample request bodies (paths relative to {@code directory}) used by smoke tests and the demo
 * @param dependencies a directory (relative) of vendored packages (site-packages or an R library), if any
 * @param route     the {@code route:} section (Traefik entry points, TLS, middlewares of this model)
 */
public record ModelSpec(
        Path directory,
        String name,
        String description,
        ModelRuntime runtime,
        String entrypoint,
        List<String> include,
        List<String> exclude,
        List<String> data,
        List<Path> samples,
        Optional<Path> dependencies,
        ResourceRequirements resources,
        Slo slo,
        Map<String, String> env,
        Optional<Signature> signature,
        Serving serving,
        RouteSettings route) {

    /** Without a {@code route:} section. */
    public ModelSpec(
            Path directory,
            String name,
            String description,
            ModelRuntime runtime,
            String entrypoint,
            List<String> include,
            List<String> exclude,
            List<String> data,
            List<Path> samples,
            Optional<Path> dependencies,
            ResourceRequirements resources,
            Slo slo,
            Map<String, String> env,
            Optional<Signature> signature,
            Serving serving) {
        this(
                directory,
                name,
                description,
                runtime,
                entrypoint,
                include,
                exclude,
                data,
                samples,
                dependencies,
                resources,
                slo,
                env,
                signature,
                serving,
                RouteSettings.NONE);
    }

    public ModelSpec {
        java.util.Objects.requireNonNull(route, "route");
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        data = List.copyOf(data);
        samples = List.copyOf(samples);
        env = Map.copyOf(env);
    }
}
