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
 * @param env          plain environment variables: part of the image, and of the serving process when run locally
 * @param secretEnv    environment variables read from Kubernetes Secrets (references only; rendered in the
 *                     Deployment, never part of the image)
 * @param route        the {@code route:} section (Traefik entry points, TLS, middlewares of this model)
 * @param environment  the {@code environment:} section (Debian, pip and R packages the model needs)
 * @param abTest       the {@code abTest:} section (gated quality metrics, labelled request files)
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
        Map<String, SecretKeyRef> secretEnv,
        RouteSettings route,
        EnvironmentSpec environment,
        AbTestSpec abTest) {

    public ModelSpec {
        java.util.Objects.requireNonNull(route, "route");
        java.util.Objects.requireNonNull(environment, "environment");
        java.util.Objects.requireNonNull(abTest, "abTest");
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        data = List.copyOf(data);
        samples = List.copyOf(samples);
        env = Map.copyOf(env);
        secretEnv = Map.copyOf(secretEnv);
    }

    /** Without an {@code abTest:} section. */
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
            Serving serving,
            Map<String, SecretKeyRef> secretEnv,
            RouteSettings route,
            EnvironmentSpec environment) {
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
                secretEnv,
                route,
                environment,
                AbTestSpec.NONE);
    }

    /** Without an {@code environment:} section. */
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
            Serving serving,
            Map<String, SecretKeyRef> secretEnv,
            RouteSettings route) {
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
                secretEnv,
                route,
                EnvironmentSpec.NONE);
    }

    /** Without secret references (a spec that never reaches a cluster, or one rebuilt from its plain parts). */
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
                Map.of(),
                RouteSettings.NONE);
    }

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
            Serving serving,
            Map<String, SecretKeyRef> secretEnv) {
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
                secretEnv,
                RouteSettings.NONE);
    }
}
