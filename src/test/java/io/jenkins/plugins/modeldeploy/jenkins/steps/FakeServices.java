package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretMask;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.log.BuildLogSink;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** StepServices over a temporary workspace with one model, in-memory credentials and a captured build log. */
final class FakeServices implements StepServices {
    static final String REGISTRY_PASSWORD = "s3cr3t-Registry+Pass/word=";
    static final String KUBECONFIG = "apiVersion: v1\nusers:\n- name: ci\n  user: {token: kube-TOKEN-4242}\n";

    final Path workspace;
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final SecretMask mask = new SecretMask();
    final BuildLogSink log = new BuildLogSink(new PrintStream(logBytes, true, StandardCharsets.UTF_8), mask);
    final ModelDeployConfiguration config = new ModelDeployConfiguration();
    final EngineFactory engine;
    volatile PromotionAction attached;

    FakeServices(Path workspace, EngineFactory engine) throws IOException {
        this.workspace = workspace;
        this.engine = engine;
        Path model = Files.createDirectories(workspace.resolve("models/iris"));
        Files.writeString(model.resolve("model.yaml"), "name: iris\nruntime: python\nentrypoint: model:Iris\n");
        Files.writeString(model.resolve("model.py"), "class Iris:\n    def predict(self, x):\n        return x\n");
        RegistryConfig registry = new RegistryConfig("registry.example.com/models");
        registry.setCredentialsId("registry-creds");
        config.setRegistries(List.of(registry));
        io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig cluster =
                new io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig("prod");
        cluster.setKubeconfigCredentialsId("kubeconfig-prod");
        cluster.setNamespace("ml");
        config.setClusters(List.of(cluster));
    }

    String logText() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public BuildLogSink log() {
        return log;
    }

    @Override
    public SecretSource secrets() {
        return new SecretSource() {
            @Override
            public String kubeconfig(String field, String id) {
                if (!id.equals("kubeconfig-prod")) {
                    throw new IllegalArgumentException(field + ": no credentials with ID \"" + id + "\"");
                }
                mask.addKubeconfig(KUBECONFIG);
                return KUBECONFIG;
            }

            @Override
            public RegistryCredentials registry(String field, String id) {
                mask.add(REGISTRY_PASSWORD, "ci-bot");
                return new RegistryCredentials("ci-bot", REGISTRY_PASSWORD);
            }

            @Override
            public RegistryCredentials usernamePassword(String field, String id) {
                return registry(field, id);
            }
        };
    }

    @Override
    public ModelDeployConfiguration configuration() {
        return config;
    }

    @Override
    public EngineFactory engines() {
        return engine;
    }

    @Override
    public Path modelDirectory(String relative) {
        return workspace.resolve(relative);
    }

    @Override
    public Path workDirectory() throws IOException {
        return Files.createDirectories(workspace.resolve(".work"));
    }

    @Override
    public String buildNumber() {
        return "7";
    }

    @Override
    public String runId() {
        return "ml/iris#7@" + System.identityHashCode(this);
    }

    @Override
    public String runUrl() {
        return "job/ml/job/iris/7/";
    }

    @Override
    public void attach(PromotionAction action) {
        attached = action;
    }

    @Override
    public Optional<PromotionAction> promotion(String key) {
        PromotionAction a = attached;
        return a != null && a.getKey().equals(key) ? Optional.of(a) : Optional.empty();
    }
}
