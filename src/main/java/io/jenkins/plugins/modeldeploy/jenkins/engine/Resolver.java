package io.jenkins.plugins.modeldeploy.jenkins.engine;

import io.jenkins.plugins.modeldeploy.event.AmqpSettings;
import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.image.BaseImages;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.SpecOverride;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns what a step or build step asked for into engine inputs, filling what it left out from the global
 * configuration: the cluster and its kubeconfig credential, the registry of the image repository and its
 * credential, base images, the event bus. Secrets come from {@link SecretSource} (and so reach the build's mask).
 */
public final class Resolver {
    private final ModelDeployConfiguration config;
    private final SecretSource secrets;

    public Resolver(ModelDeployConfiguration config, SecretSource secrets) {
        this.config = config;
        this.secrets = secrets;
    }

    /**
     * Cluster settings: an explicit kubeconfig credential wins over the named (or first) cluster's; the cluster's
     * gateway URL is where smoke tests and synthetic A/B traffic enter.
     */
    public KubernetesSettings kubernetes(TargetOptions options) {
        Optional<ClusterConfig> cluster = config.cluster(options.cluster);
        if (cluster.isEmpty() && Validation.blank(options.kubeconfigCredentialsId)) {
            throw new IllegalArgumentException(Messages.Config_noTarget());
        }
        String credentialsId = !Validation.blank(options.kubeconfigCredentialsId) ? options.kubeconfigCredentialsId
                : cluster.map(ClusterConfig::getKubeconfigCredentialsId).orElse(null);
        String field = !Validation.blank(options.kubeconfigCredentialsId) ? "kubeconfigCredentialsId"
                : "cluster " + cluster.map(ClusterConfig::getName).orElse("") + " kubeconfigCredentialsId";
        if (Validation.blank(credentialsId) && !cluster.map(ClusterConfig::isInCluster).orElse(false)) {
            throw new IllegalArgumentException("cluster " + cluster.map(ClusterConfig::getName).orElse("") + ": has"
                    + " neither a kubeconfig credentials ID nor \"in cluster\" set; give kubeconfigCredentialsId or"
                    + " configure the cluster in Manage Jenkins > System > Model deploy");
        }
        Optional<String> kubeconfig = Validation.blank(credentialsId) ? Optional.empty()
                : Optional.of(secrets.kubeconfig(field, credentialsId));
        String namespace = !Validation.blank(options.namespace) ? options.namespace
                : cluster.map(ClusterConfig::getNamespace).orElse("default");
        Validation.require(Validation.dnsLabel("namespace", namespace, true));
        Optional<String> host = Optional.ofNullable(!Validation.blank(options.host) ? options.host
                : cluster.map(ClusterConfig::getHost).orElse(null));
        KubernetesSettings defaults = KubernetesSettings.defaults(namespace);
        return new KubernetesSettings(kubeconfig, Optional.empty(), namespace, host,
                cluster.map(ClusterConfig::routeMode).orElse(defaults.routeMode()), Optional.empty(),
                cluster.map(ClusterConfig::getPrometheusUrl).map(URI::create), RetireMode.REMOVE,
                defaults.minReplicas(), defaults.maxReplicas(), List.of())
                .withGatewayUrl(cluster.map(ClusterConfig::getGatewayUrl).map(URI::create));
    }

    /** The image to build: repository (given, or the first registry's prefix plus the model name) and its push. */
    public ImagePlan image(ModelVersion version, ImageOptions options) {
        String repository = options.imageRepository;
        if (Validation.blank(repository)) {
            RegistryConfig first = config.getRegistries().stream().findFirst().orElseThrow(() ->
                    new IllegalArgumentException(Messages.Config_noImageRepository()));
            repository = first.getUrl().replaceAll("/+$", "") + "/" + version.name();
        }
        Optional<RegistryConfig> registry = config.registryFor(repository);
        String credentialsId = !Validation.blank(options.registryCredentialsId) ? options.registryCredentialsId
                : registry.map(RegistryConfig::getCredentialsId).orElse(null);
        Optional<RegistryCredentials> credentials = Validation.blank(credentialsId) ? Optional.empty()
                : Optional.of(secrets.registry("registryCredentialsId", credentialsId));
        boolean insecure = options.insecureRegistry || registry.map(RegistryConfig::isInsecure).orElse(false);
        return new ImagePlan(version, BaseImage.parse(baseImage(version.spec().runtime(), options.baseImage)),
                repository, new ImageTarget.Registry(credentials, insecure));
    }

    private String baseImage(ModelRuntime runtime, String given) {
        if (!Validation.blank(given)) {
            return given;
        }
        String configured = runtime == ModelRuntime.PYTHON ? config.getBasePythonImage() : config.getBaseRImage();
        if (!Validation.blank(configured)) {
            return configured;
        }
        return BaseImages.defaultFor(runtime).orElseThrow(() -> new IllegalArgumentException("baseImage: the "
                + runtime.id() + " runtime needs a base image with R, jsonlite and rpy2; give baseImage or configure"
                + " one in Manage Jenkins > System > Model deploy"));
    }

    /**
     * The global default SLO as overrides of the model's {@code slo} fields, when its model.yaml has no {@code slo}
     * section (a model that states its SLO keeps it; step options override both).
     */
    public List<SpecOverride> sloDefaults(Path modelDir) {
        Path file = modelDir.resolve(ModelSpecLoader.FILE_NAME);
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            if (root != null && root.has("slo")) {
                return List.of();
            }
        } catch (IOException e) {
            return List.of(); // the loader reports an unreadable model.yaml with its own, better message
        }
        return List.of(new SpecOverride("slo.p99Ms", Double.toString(config.getDefaultP99Ms()),
                        "global default SLO p99Ms"),
                new SpecOverride("slo.maxErrorRate", Double.toString(config.getDefaultMaxErrorRate()),
                        "global default SLO maxErrorRate"));
    }

    /** The event bus, if the step or the global configuration names one (credentials from the configuration). */
    public Optional<AmqpSettings> events(TargetOptions options) {
        String uri = !Validation.blank(options.eventsUri) ? options.eventsUri : config.getEventsUri();
        if (Validation.blank(uri)) {
            return Optional.empty();
        }
        Validation.require(Validation.amqpUri("eventsUri", uri));
        AmqpSettings settings = AmqpSettings.parse(uri);
        if (!Validation.blank(config.getEventsCredentialsId())) {
            RegistryCredentials user = secrets.usernamePassword("eventsCredentialsId", config.getEventsCredentialsId());
            settings = settings.withCredentials(user.username(), user.password());
        }
        return Optional.of(settings);
    }
}
