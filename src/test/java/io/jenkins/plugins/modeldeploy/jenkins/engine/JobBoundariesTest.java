package io.jenkins.plugins.modeldeploy.jenkins.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing a job author controls reaches beyond the job: kubeconfig commands, folder-restricted clusters, the global
 * RabbitMQ credential with a step's own eventsUri, tar: base images outside the workspace.
 */
class JobBoundariesTest {
    static final String EXEC = """
            apiVersion: v1
            clusters:
            - name: c
              cluster: {server: "https://k8s:6443"}
            users:
            - name: ci
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: /bin/sh
                  args: ["-c", "cat /var/jenkins_home/secrets/master.key"]
            """;
    static final String AUTH_PROVIDER = """
            apiVersion: v1
            users:
            - name: ci
              user:
                auth-provider: {name: gcp, config: {cmd-path: /usr/bin/id}}
            """;
    static final String TOKEN = "apiVersion: v1\nusers:\n- name: ci\n  user: {token: kube-TOKEN}\n";

    final Map<String, String> kubeconfigs = Map.of("kube-exec", EXEC, "kube-auth", AUTH_PROVIDER, "kube-token", TOKEN);
    final SecretSource secrets = new SecretSource() {
        @Override
        public String kubeconfig(String field, String id) {
            return kubeconfigs.get(id);
        }

        @Override
        public RegistryCredentials registry(String field, String id) {
            return new RegistryCredentials("u", "p");
        }

        @Override
        public RegistryCredentials usernamePassword(String field, String id) {
            return new RegistryCredentials("events", "admin-RABBIT-pw");
        }
    };

    private static ModelDeployConfiguration clusters(ClusterConfig... clusters) {
        ModelDeployConfiguration config = new ModelDeployConfiguration();
        config.setClusters(List.of(clusters));
        return config;
    }

    private static ClusterConfig cluster(String name, String credentialsId) {
        ClusterConfig c = new ClusterConfig(name);
        c.setKubeconfigCredentialsId(credentialsId);
        return c;
    }

    private static TargetOptions on(String cluster) {
        return new TargetOptions(cluster, null, null, null, null);
    }

    @Test
    void aKubeconfigThatRunsACommandIsRefusedUnlessTheClusterAllowsIt() {
        ClusterConfig prod = cluster("prod", "kube-exec");
        Resolver resolver = new Resolver(clusters(prod), secrets, "ml/deploy");
        assertThatThrownBy(() -> resolver.target(on("prod")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("users[ci].user.exec")
                .hasMessageNotContaining("master.key");

        prod.setAllowExecCredentials(true);
        assertThat(resolver.kubernetes(on("prod")).kubeconfig()).contains(EXEC);
    }

    @Test
    void anAuthProviderIsRefusedToo() {
        Resolver resolver = new Resolver(clusters(cluster("prod", "kube-auth")), secrets, "ml/deploy");
        assertThatThrownBy(() -> resolver.target(on("prod"))).hasMessageContaining("users[ci].user.auth-provider");
    }

    @Test
    void aCommandHiddenBehindAnAliasOrInALaterDocumentIsFoundAsTheClientWouldFindIt() {
        // fabric8 reads every document with aliases expanded; a reader that did not would pass these
        String alias = """
                apiVersion: v1
                defaults: &run {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh}}
                users:
                - name: ci
                  user: *run
                """;
        String merged = """
                apiVersion: v1
                defaults: &run {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh}}
                users:
                - name: ci
                  user: {<<: *run, token: t}
                """;
        String secondDocument = "---\n~\n---\n" + EXEC;
        for (String kubeconfig : List.of(alias, merged, secondDocument)) {
            assertThatThrownBy(() -> KubeconfigPolicy.check("kubeconfigCredentialsId", kubeconfig, false))
                    .as(kubeconfig)
                    .hasMessageStartingWith("kubeconfigCredentialsId: the kubeconfig uses users[ci].user.exec");
        }
        KubeconfigPolicy.check("kubeconfigCredentialsId", alias, true); // the administrator allowed it
        KubeconfigPolicy.check("kubeconfigCredentialsId", TOKEN, false);
    }

    @Test
    void aStepsOwnKubeconfigCredentialNeverMayRunCommandsEvenOnAClusterThatAllowsThem() {
        ClusterConfig prod = cluster("prod", "kube-token");
        prod.setAllowExecCredentials(true);
        Resolver resolver = new Resolver(clusters(prod), secrets, "ml/deploy");
        assertThatThrownBy(() -> resolver.target(new TargetOptions("prod", "kube-exec", null, null, null)))
                .hasMessageStartingWith("kubeconfigCredentialsId: the kubeconfig uses users[ci].user.exec");
        assertThat(resolver.kubernetes(on("prod")).kubeconfig()).contains(TOKEN);
    }

    @Test
    void aClusterRestrictedToFoldersRefusesJobsElsewhere() {
        ClusterConfig prod = cluster("prod", "kube-token");
        prod.setAllowedFolders("ml/production\nshared");
        ModelDeployConfiguration config = clusters(prod);
        assertThat(new Resolver(config, secrets, "ml/production/deploy")
                        .kubernetes(on("prod"))
                        .namespace())
                .isEqualTo("default");
        assertThat(new Resolver(config, secrets, "shared/sub/deploy").target(on("prod")))
                .isNotNull();
        for (String other : new String[] {"ml/staging/deploy", "ml/production-copy/deploy", "deploy"}) {
            assertThatThrownBy(() -> new Resolver(config, secrets, other).target(on("prod")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cluster prod: not available to job " + other);
        }
        prod.setAllowedFolders("");
        assertThat(new Resolver(config, secrets, "anything").target(on("prod"))).isNotNull();
    }

    @Test
    void aStepsOwnEventsUriNeverGetsTheGlobalCredential() {
        ModelDeployConfiguration config = clusters(cluster("prod", "kube-token"));
        config.setEventsUri("amqp://rabbit:5672/");
        config.setEventsCredentialsId("rabbit-admin");
        Resolver resolver = new Resolver(config, secrets, "ml/deploy");
        assertThat(resolver.events(on("prod")))
                .hasValueSatisfying(a -> assertThat(a.redacted()).isEqualTo("amqp://events@rabbit:5672/"));
        assertThat(resolver.events(new TargetOptions("prod", null, null, null, "amqp://evil.example:5672/")))
                .hasValueSatisfying(a -> {
                    assertThat(a.uri().getHost()).isEqualTo("evil.example");
                    assertThat(a.username()).isEqualTo("guest"); // the URI's own (none: AMQP's default), not "events"
                });
    }

    @Test
    void aTarBaseImageComesFromTheWorkspaceOnly(@TempDir Path dir) throws Exception {
        Path workspace = Files.createDirectories(dir.resolve("ws"));
        Files.writeString(workspace.resolve("base.tar"), "tar");
        Files.writeString(dir.resolve("outside.tar"), "tar");
        Files.createSymbolicLink(workspace.resolve("link.tar"), dir.resolve("outside.tar"));

        assertThat(BaseImage.inWorkspace("tar:base.tar", workspace))
                .isEqualTo(new BaseImage.Tar(workspace.toRealPath().resolve("base.tar")));
        for (String refused :
                new String[] {"tar:/etc/passwd", "tar:///etc/passwd", "tar:../outside.tar", "tar:sub/../../outside.tar"
                }) {
            assertThatThrownBy(() -> BaseImage.inWorkspace(refused, workspace))
                    .as(refused)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("relative path inside the" + " workspace");
        }
        assertThatThrownBy(() -> BaseImage.inWorkspace("tar:link.tar", workspace))
                .hasMessageContaining("is a link that leaves the workspace");
        assertThatThrownBy(() -> BaseImage.inWorkspace("tar:base.tar", null)).hasMessageContaining("inside node");
        assertThat(BaseImage.inWorkspace("registry:5000/python:3", null))
                .isEqualTo(new BaseImage.Registry("registry:5000/python:3"));
    }
}
