package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventSink;
import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretMask;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.log.BuildLogSink;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ApprovalRegistry;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ModelDeploymentsAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.smoke.SmokeReports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Jenkins side of a run as a double: a workspace directory, in-memory credentials, the global configuration
 * (cluster {@code prod} with a kubeconfig credential, namespace {@code ml}), a captured build log and every event
 * the run published, recorded typed. The engine factory is given: the tests pass {@link LocalCluster}'s, which is the
 * real engine over an in-process cluster.
 */
final class FakeServices implements StepServices {
    static final String REGISTRY_PASSWORD = "s3cr3t-Registry+Pass/word=";
    static final String KUBECONFIG = "apiVersion: v1\nusers:\n- name: ci\n  user: {token: kube-TOKEN-4242}\n";

    final Path workspace;
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final SecretMask mask = new SecretMask();
    final BuildLogSink log;
    final ModelDeployConfiguration config;
    final EngineFactory engines;
    final String buildNumber;
    /** Every event the run published (through the same bus as the build log). */
    final List<DeploymentEvent> events;
    /** The run's deployments action, as Jenkins would hold it (promotions under their own IDs, deployments). */
    final ModelDeploymentsAction deployments;
    /** The promotion attached last. */
    volatile PromotionAction attached;
    /** Whether a waiter was registered for each promotion at the moment it was attached (the registration order). */
    final List<Boolean> waitingWhenAttached = new CopyOnWriteArrayList<>();
    /** Whether a waiter was registered for the key each time the step read its promotion back. */
    final List<Boolean> waitingWhenRead = new CopyOnWriteArrayList<>();
    /** Runs for every event the run publishes, as it is published (an event-driven approver). */
    volatile java.util.function.Consumer<DeploymentEvent> onEvent = e -> {};
    /** Runs when a promotion is attached, before the step goes on (a person deciding at once). */
    volatile java.util.function.Consumer<PromotionAction> onAttach = p -> {};

    FakeServices(Path workspace, EngineFactory engines, ModelDeployConfiguration config, String buildNumber) {
        this(workspace, engines, config, buildNumber, null, new CopyOnWriteArrayList<>(), null);
    }

    private FakeServices(Path workspace, EngineFactory engines, ModelDeployConfiguration config, String buildNumber,
            PrintStream out, List<DeploymentEvent> events, ModelDeploymentsAction deployments) {
        this.workspace = workspace;
        this.engines = engines;
        this.config = config;
        this.buildNumber = buildNumber;
        this.events = events;
        this.deployments = deployments != null ? deployments
                : new ModelDeploymentsAction(null, workspace.resolve(".reports-" + buildNumber));
        this.log = new BuildLogSink(out != null ? out : new PrintStream(logBytes, true, StandardCharsets.UTF_8),
                mask);
    }

    /** The configuration the tests start from: cluster {@code prod} (kubeconfig credential, namespace {@code ml}). */
    static ModelDeployConfiguration prodCluster() {
        ModelDeployConfiguration config = new ModelDeployConfiguration();
        ClusterConfig cluster = new ClusterConfig("prod");
        cluster.setKubeconfigCredentialsId("kubeconfig-prod");
        cluster.setNamespace("ml");
        config.setClusters(List.of(cluster));
        return config;
    }

    String logText() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public BuildLogSink log() {
        return log;
    }

    @Override
    public List<EventSink> eventSinks() {
        return List.of(log, new EventSink() {
            @Override
            public void accept(DeploymentEvent event) {
                events.add(event);
                onEvent.accept(event);
            }

            @Override
            public String name() {
                return "test recorder";
            }
        });
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
        return engines;
    }

    @Override
    public Path modelDirectory(String relative) throws IOException {
        Path dir = workspace.resolve(relative);
        if (!Files.isRegularFile(dir.resolve("model.yaml"))) {
            throw new IOException("modelDir: \"" + relative + "\" has no model.yaml");
        }
        return dir;
    }

    @Override
    public Path workDirectory() throws IOException {
        return Files.createDirectories(workspace.resolve(".work-" + buildNumber));
    }

    @Override
    public String buildNumber() {
        return buildNumber;
    }

    @Override
    public String runId() {
        return "ml/echo#" + buildNumber + "@" + System.identityHashCode(this);
    }

    @Override
    public String runUrl() {
        return "job/ml/job/echo/" + buildNumber + "/";
    }

    @Override
    public void attach(PromotionAction action) {
        waitingWhenAttached.add(ApprovalRegistry.isWaiting(action.getKey()));
        deployments.add(action);
        attached = action;
        onAttach.accept(action);
    }

    @Override
    public Optional<PromotionAction> promotion(String key) {
        waitingWhenRead.add(ApprovalRegistry.isWaiting(key));
        return deployments.byKey(key);
    }

    @Override
    public void recordDeployment(DeployOutcome outcome, java.util.Map<String, Object> summary) {
        deployments.record(outcome, summary, outcome.smoke().map(SmokeReports::html).orElse(""));
    }

    /** The same run's services, logging to the page's listener, as Jenkins reopens them (the events still recorded). */
    @Override
    public Reopener reopener() {
        return (run, listener) -> new FakeServices(workspace, engines, config, buildNumber, listener.getLogger(),
                events, deployments);
    }
}
