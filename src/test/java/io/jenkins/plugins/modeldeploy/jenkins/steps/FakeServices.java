package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.FilePath;
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
import io.jenkins.plugins.modeldeploy.jenkins.promotion.DeploymentRecord;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ModelDeploymentsAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

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
    /** The smoke reports the work sent back to the "controller", by {@code model-version}. */
    final Map<String, io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportFiles.Rendered> smokeReports =
            new ConcurrentHashMap<>();
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

    private FakeServices(
            Path workspace,
            EngineFactory engines,
            ModelDeployConfiguration config,
            String buildNumber,
            PrintStream out,
            List<DeploymentEvent> events,
            ModelDeploymentsAction deployments) {
        this.workspace = workspace;
        this.engines = engines;
        this.config = config;
        this.buildNumber = buildNumber;
        this.events = events;
        this.deployments = deployments != null
                ? deployments
                : new ModelDeploymentsAction(null, workspace.resolve(".reports-" + buildNumber));
        this.log = new BuildLogSink(out != null ? out : new PrintStream(logBytes, true, StandardCharsets.UTF_8), mask);
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
    public void smokeReported(
            String model,
            String version,
            io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportFiles.Rendered reports) {
        smokeReports.put(model + "-" + version, reports);
        try { // where JenkinsStepServices keeps them: the run's model-deploy/<model>-<version>/ (the action's folder)
            io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportFiles.writeRunReports(
                    workspace.resolve(".reports-" + buildNumber).resolve(model + "-" + version), reports);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public ModelDeployConfiguration configuration() {
        return config;
    }

    /**
     * The factory as the agent finds it: by a key into {@link #AGENT_FACTORIES} (the "agent's installation"), since
     * the factory itself never crosses the channel.
     */
    @Override
    public EngineFactory.Locator engines() {
        String key = "factory-" + System.identityHashCode(engines);
        AGENT_FACTORIES.put(key, engines);
        return new OnAgent(key);
    }

    /** The engine factories "installed on the agent", by key. */
    static final Map<String, EngineFactory> AGENT_FACTORIES = new ConcurrentHashMap<>();

    /** Set while a call runs on the "agent" (inside {@code FilePath.act}); the engine is only ever made there. */
    static final ThreadLocal<Boolean> ON_AGENT = ThreadLocal.withInitial(() -> false);

    /** Finds the factory on the agent, and checks it is asked for there only. */
    record OnAgent(String key) implements EngineFactory.Locator {
        @Override
        public EngineFactory get() {
            return AGENT_FACTORIES.get(key);
        }
    }

    /** Calls that ran through the workspace's channel, and calls that ran on the "controller" (no workspace). */
    final AtomicInteger agentCalls = new AtomicInteger();

    final AtomicInteger controllerCalls = new AtomicInteger();
    /** Set for the services of a step outside node: no workspace. */
    volatile boolean withoutWorkspace;

    volatile String jobFullName = "ml/echo";

    /** As JenkinsStepServices: through the workspace's channel (the stub serializes as a remote one does). */
    @Override
    public <T> T onAgent(AgentCall<T> call) throws IOException, InterruptedException {
        if (withoutWorkspace) {
            controllerCalls.incrementAndGet();
            return call.here();
        }
        agentCalls.incrementAndGet();
        ON_AGENT.set(true);
        try {
            return AgentCall.on(new FilePath(workspace.toFile()), call);
        } finally {
            ON_AGENT.set(false);
        }
    }

    /** This build's directory and the earlier builds' (as a job's builds directory holds them). */
    @Override
    public List<Path> eventSpoolDirectories() throws IOException {
        Path builds = Files.createDirectories(workspace.resolve(".builds"));
        List<Path> dirs = new java.util.ArrayList<>();
        dirs.add(builds.resolve(buildNumber));
        try (var earlier = Files.list(builds)) {
            earlier.filter(d -> !d.getFileName().toString().equals(buildNumber))
                    .sorted(java.util.Comparator.reverseOrder())
                    .forEach(dirs::add);
        }
        return dirs;
    }

    @Override
    public String jobFullName() {
        return jobFullName;
    }

    @Override
    public Throwable masked(Throwable failure) {
        return JenkinsStepServices.maskedFailure(failure, mask);
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
    public void recordDeployment(DeploymentRecord record) {
        deployments.record(record);
    }

    /** The same run's services, logging to the page's listener, as Jenkins reopens them (the events still recorded). */
    @Override
    public Reopener reopener() {
        return (run, listener) ->
                new FakeServices(workspace, engines, config, buildNumber, listener.getLogger(), events, deployments);
    }
}
