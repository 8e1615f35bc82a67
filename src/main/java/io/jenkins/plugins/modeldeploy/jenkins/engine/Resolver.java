package io.jenkins.plugins.modeldeploy.jenkins.engine;

import io.jenkins.plugins.modeldeploy.event.AmqpSettings;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.SpecOverride;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns what a step or build step asked for into engine inputs, filling what it left out from the global
 * configuration: the cluster and its kubeconfig credential, the registry of the image repository and its
 * credential, base images, the event bus. Secrets come from {@link SecretSource} (and so reach the build's mask).
 * Runs on the controller; what the agent needs of it travels as {@link ResolvedTarget}, {@link ResolvedImage} and
 * {@link SloDefaults}. What a job author controls stays within the job: a cluster restricted to folders refuses other
 * jobs, a kubeconfig that starts commands or reads local files is refused unless the cluster allows it, a step's own
 * {@code eventsUri} never gets the global RabbitMQ credential.
 */
public final class Resolver {
    private final ModelDeployConfiguration config;
    private final SecretSource secrets;
    private final String jobFullName;

    public Resolver(ModelDeployConfiguration config, SecretSource secrets) {
        this(config, secrets, null);
    }

    /** @param jobFullName the full name of the job whose build resolves (folder restrictions); null: unknown */
    public Resolver(ModelDeployConfiguration config, SecretSource secrets, String jobFullName) {
        this.config = config;
        this.secrets = secrets;
        this.jobFullName = jobFullName;
    }

    /** Cluster settings (see {@link #target}); throws what {@link #target} would defer. */
    public KubernetesSettings kubernetes(TargetOptions options) {
        return target(options).settings();
    }

    /**
     * The cluster: an explicit kubeconfig credential wins over the named (or first) cluster's; the cluster's gateway
     * URL is where smoke tests and synthetic A/B traffic enter. Refused when the cluster is restricted to folders the
     * job is not in, and when the kubeconfig runs commands or reads local files without the cluster allowing it.
     */
    public ResolvedTarget target(TargetOptions options) {
        Optional<ClusterConfig> cluster = config.cluster(options.cluster);
        if (cluster.isEmpty() && Validation.blank(options.kubeconfigCredentialsId)) {
            throw new IllegalArgumentException(Messages.Config_noTarget());
        }
        if (cluster.isPresent() && !cluster.get().allows(jobFullName)) {
            throw new IllegalArgumentException("cluster " + cluster.get().getName() + ": not available to job "
                    + (jobFullName == null ? "(unknown)" : jobFullName) + "; an administrator restricted it to the"
                    + " folders " + String.join(", ", cluster.get().allowedFolderList()));
        }
        boolean own = !Validation.blank(options.kubeconfigCredentialsId);
        String credentialsId = own
                ? options.kubeconfigCredentialsId
                : cluster.map(ClusterConfig::getKubeconfigCredentialsId).orElse(null);
        String field = own
                ? "kubeconfigCredentialsId"
                : "cluster " + cluster.map(ClusterConfig::getName).orElse("") + " kubeconfigCredentialsId";
        if (Validation.blank(credentialsId)
                && !cluster.map(ClusterConfig::isInCluster).orElse(false)) {
            throw new IllegalArgumentException(
                    "cluster " + cluster.map(ClusterConfig::getName).orElse("") + ": has"
                            + " neither a kubeconfig credentials ID nor \"in cluster\" set; give kubeconfigCredentialsId or"
                            + " configure the cluster in Manage Jenkins > System > Model deploy");
        }
        String kubeconfig = null;
        if (!Validation.blank(credentialsId)) {
            kubeconfig = secrets.kubeconfig(field, credentialsId);
            // the administrator's switch covers the cluster's own credential, never one a Jenkinsfile names
            KubeconfigPolicy.check(
                    field,
                    kubeconfig,
                    !own && cluster.map(ClusterConfig::isAllowExecCredentials).orElse(false));
        }
        String namespace = !Validation.blank(options.namespace)
                ? options.namespace
                : cluster.map(ClusterConfig::getNamespace).orElse("default");
        Validation.require(Validation.dnsLabel("namespace", namespace, true));
        String host = !Validation.blank(options.host)
                ? options.host
                : cluster.map(ClusterConfig::getHost).orElse(null);
        return new ResolvedTarget(
                        kubeconfig,
                        namespace,
                        host,
                        cluster.map(ClusterConfig::routeMode)
                                .orElse(KubernetesSettings.defaults(namespace).routeMode()),
                        cluster.map(ClusterConfig::getPrometheusUrl).orElse(null),
                        cluster.map(ClusterConfig::getGatewayUrl).orElse(null),
                        cluster.map(ClusterConfig::getPrometheusMatchers).orElse(null))
                .withRoutes(
                        cluster.map(ClusterConfig::getEntryPoints).orElse(null),
                        cluster.map(ClusterConfig::getTlsSecretName).orElse(null),
                        cluster.map(ClusterConfig::getTlsCertResolver).orElse(null),
                        cluster.map(ClusterConfig::getMiddlewares).orElse(null),
                        cluster.map(ClusterConfig::getApplyMode).orElse(null));
    }

    /** The image to build of {@code version}; a {@code tar:} base image only from {@code workspace}. */
    public ImagePlan image(ModelVersion version, ImageOptions options, Path workspace) {
        return image(options).plan(version, workspace);
    }

    /**
     * Where images go: the repository given, or the first registry's prefix plus the model name (appended on the
     * agent, which reads the model), with the registry's credential.
     */
    public ResolvedImage image(ImageOptions options) {
        String repository = options.imageRepository;
        boolean append = false;
        if (Validation.blank(repository)) {
            RegistryConfig first = config.getRegistries().stream()
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(Messages.Config_noImageRepository()));
            repository = first.getUrl().replaceAll("/+$", "");
            append = true;
        }
        Optional<RegistryConfig> registry = config.registryFor(append ? repository + "/model" : repository);
        String credentialsId = !Validation.blank(options.registryCredentialsId)
                ? options.registryCredentialsId
                : registry.map(RegistryConfig::getCredentialsId).orElse(null);
        RegistryCredentials credentials =
                Validation.blank(credentialsId) ? null : secrets.registry("registryCredentialsId", credentialsId);
        boolean insecure = options.insecureRegistry
                || registry.map(RegistryConfig::isInsecure).orElse(false);
        return new ResolvedImage(
                repository,
                append,
                credentials,
                insecure,
                options.baseImage,
                config.getBasePythonImage(),
                config.getBaseRImage());
    }

    /** The global default SLO (applied on the agent to models without one). */
    public SloDefaults sloDefaults() {
        return new SloDefaults(config.getDefaultP99Ms(), config.getDefaultMaxErrorRate());
    }

    /** The global default SLO as overrides of the model's {@code slo} fields (see {@link SloDefaults}). */
    public List<SpecOverride> sloDefaults(Path modelDir) {
        return sloDefaults().overrides(modelDir);
    }

    /**
     * The event bus, if the step or the global configuration names one. The global credential goes with the global
     * URI only: a step's own {@code eventsUri} (a server the Jenkinsfile chose) never gets it.
     */
    public Optional<AmqpSettings> events(TargetOptions options) {
        boolean own = !Validation.blank(options.eventsUri);
        String uri = own ? options.eventsUri : config.getEventsUri();
        if (Validation.blank(uri)) {
            return Optional.empty();
        }
        Validation.require(Validation.amqpUri("eventsUri", uri));
        AmqpSettings settings = AmqpSettings.parse(uri);
        if (!own && !Validation.blank(config.getEventsCredentialsId())) {
            RegistryCredentials user = secrets.usernamePassword("eventsCredentialsId", config.getEventsCredentialsId());
            settings = settings.withCredentials(user.username(), user.password());
        }
        return Optional.of(settings);
    }
}
