package io.jenkins.plugins.modeldeploy.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.testing.LocalRegistry;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Building and pushing model images with Jib to a real registry (Debian's docker-registry on 127.0.0.1). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageBuildIT {
    @TempDir
    static Path dir;

    private LocalRegistry registry;
    private final List<String> log = new ArrayList<>();

    @BeforeAll
    void startRegistry() throws Exception {
        registry = LocalRegistry.start(dir.resolve("registry"), null, null);
    }

    @AfterAll
    void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    /** A copy of the iris example with a stand-in model file (the image build does not run the model). */
    private Path irisCopy(String name) throws IOException {
        Path copy = ExampleModels.copy(TestModels.examplesRoot(), ExampleModels.IRIS_PYTHON, dir.resolve(name));
        Files.write(copy.resolve("model.pkl"), new byte[4096]);
        return copy;
    }

    private BuiltImage build(Path model, String version, String repository, ImageTarget target) throws Exception {
        ModelVersion modelVersion = ModelVersion.of(new ModelSpecLoader().load(model), version, "test");
        return new JibImageBuilder(dir.resolve("work"), log::add)
                .build(new ImagePlan(modelVersion, new BaseImage.Scratch(), repository, target));
    }

    private ImageTarget.Registry insecure() {
        return new ImageTarget.Registry(Optional.empty(), true);
    }

    @Test
    void pushesAnImageWhoseManifestAndConfigReadBack() throws Exception {
        String repository = registry.host() + "/models/iris";
        BuiltImage image = build(irisCopy("readback"), "1", repository, insecure());

        assertThat(image.image()).isEqualTo(repository + ":1");
        assertThat(image.digest()).isEqualTo(registry.digest("models/iris", "1"));
        assertThat(image.pinned()).isEqualTo(repository + "@" + image.digest());
        assertThat(image.layersPushed()).isEqualTo(3);
        assertThat(image.bytesPushed()).isPositive();

        JsonNode manifest = registry.manifest("models/iris", "1");
        assertThat(manifest.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(manifest.get("layers")).hasSize(3);
        long layerBytes = 0;
        for (JsonNode layer : manifest.get("layers")) {
            layerBytes += layer.get("size").asLong();
        }
        assertThat(image.bytesPushed()).isEqualTo(layerBytes);

        JsonNode config = registry.blobJson(
                        "models/iris", manifest.at("/config/digest").asText())
                .get("config");
        assertThat(config.get("User").asText()).isEqualTo("10001:10001");
        assertThat(config.get("WorkingDir").asText()).isEqualTo("/opt/model-deploy/model");
        assertThat(config.get("Entrypoint"))
                .hasToString("[\"python3\",\"-m\",\"mdharness\",\"--config\","
                        + "\"/opt/model-deploy/harness.json\",\"--host\",\"0.0.0.0\",\"--port\",\"8080\"]");
        assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(config.get("Env").toString())
                .contains("MODEL_DEPLOY_VERSION=1", "PYTHONPATH=/opt/model-deploy/harness/python");
        JsonNode labels = config.get("Labels");
        assertThat(labels.get("org.opencontainers.image.title").asText()).isEqualTo("iris");
        assertThat(labels.get("org.opencontainers.image.version").asText()).isEqualTo("1");
        assertThat(labels.get("org.opencontainers.image.created").asText()).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(labels.get("model-deploy.jenkins.io/model").asText()).isEqualTo("iris");
        assertThat(labels.get("model-deploy.jenkins.io/runtime").asText()).isEqualTo("python");
        assertThat(labels.get("model-deploy.jenkins.io/entrypoint").asText()).isEqualTo("model:IrisClassifier");
        assertThat(labels.get("model-deploy.jenkins.io/spec-hash").asText()).startsWith("sha256:");
    }

    @Test
    void theSameInputsGiveTheSameDigestWhateverTheFileTimes() throws Exception {
        Path first = irisCopy("repro-a");
        Path second = irisCopy("repro-b");
        try (Stream<Path> files = Files.walk(second)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(file, FileTime.fromMillis(1_234_567_890_000L));
            }
        }
        BuiltImage a = build(first, "1", registry.host() + "/repro/a", insecure());
        BuiltImage b = build(second, "1", registry.host() + "/repro/b", insecure());
        assertThat(b.digest()).isEqualTo(a.digest());
        Path tar = dir.resolve("repro.tar");
        BuiltImage asTar = build(first, "1", registry.host() + "/repro/a", new ImageTarget.Tar(tar));
        assertThat(asTar.digest()).isEqualTo(a.digest());
        assertThat(tarEntries(tar)).contains("oci-layout", "index.json");
        Path dockerTar = dir.resolve("repro-docker.tar");
        build(first, "1", registry.host() + "/repro/a", new ImageTarget.Tar(dockerTar, true));
        assertThat(tarEntries(dockerTar)).contains("manifest.json").doesNotContain("oci-layout");
    }

    private static List<String> tarEntries(Path tar) throws IOException {
        List<String> names = new ArrayList<>();
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                names.add(entry.getName());
            }
        }
        return names;
    }

    @Test
    void aCodeChangePushesOneLayerAndADataChangeOnlyTheDataLayer() throws Exception {
        Path model = irisCopy("incremental");
        String repository = registry.host() + "/models/incremental";
        build(model, "1", repository, insecure());
        JsonNode v1 = registry.manifest("models/incremental", "1");

        Files.writeString(
                model.resolve("model.py"), "\n# a one-line change\n", java.nio.file.StandardOpenOption.APPEND);
        BuiltImage v2 = build(model, "2", repository, insecure());
        JsonNode v2Manifest = registry.manifest("models/incremental", "2");
        assertThat(v2.layersPushed()).isEqualTo(1);
        assertThat(v2Manifest.at("/layers/0/digest")).isEqualTo(v1.at("/layers/0/digest")); // harness
        assertThat(v2Manifest.at("/layers/1/digest")).isEqualTo(v1.at("/layers/1/digest")); // data
        assertThat(v2Manifest.at("/layers/2/digest")).isNotEqualTo(v1.at("/layers/2/digest")); // code
        assertThat(v2.bytesPushed()).isEqualTo(v2Manifest.at("/layers/2/size").asLong());

        Files.write(model.resolve("model.pkl"), new byte[8192]);
        BuiltImage v3 = build(model, "3", repository, insecure());
        JsonNode v3Manifest = registry.manifest("models/incremental", "3");
        assertThat(v3.layersPushed()).isEqualTo(1);
        assertThat(v3Manifest.at("/layers/1/digest")).isNotEqualTo(v2Manifest.at("/layers/1/digest"));
        assertThat(v3Manifest.at("/layers/2/digest")).isEqualTo(v2Manifest.at("/layers/2/digest"));

        BuiltImage again = build(model, "3", repository, insecure());
        assertThat(again.layersPushed()).isZero();
        assertThat(again.digest()).isEqualTo(v3.digest());
    }

    @Test
    void basicAuthRightCredentialsPushWrongOnesGiveAClearError() throws Exception {
        try (LocalRegistry secured = LocalRegistry.start(dir.resolve("secured"), "alice", "correct-horse")) {
            Path model = irisCopy("auth");
            String repository = secured.host() + "/models/iris";
            BuiltImage image = build(
                    model,
                    "1",
                    repository,
                    new ImageTarget.Registry(Optional.of(new RegistryCredentials("alice", "correct-horse")), true));
            assertThat(secured.digest("models/iris", "1")).isEqualTo(image.digest());

            assertThatThrownBy(() -> build(
                            model,
                            "2",
                            repository,
                            new ImageTarget.Registry(
                                    Optional.of(new RegistryCredentials("alice", "wrong-battery")), true)))
                    .isInstanceOf(ImageBuildException.class)
                    .hasMessage("registry " + secured.host() + " refused the credentials of user \"alice\" for "
                            + repository + " (401 Unauthorized)")
                    .satisfies(e -> assertThat(e.toString()).doesNotContain("wrong-battery"));
            assertThat(secured.manifest("models/iris", "2"))
                    .as("no tag for a failed push")
                    .isNull();
        }
    }

    @Test
    void anUnreachableRegistryIsNamed() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String repository = "127.0.0.1:" + port + "/models/iris";
        assertThatThrownBy(() -> build(irisCopy("unreachable"), "1", repository, insecure()))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageStartingWith("registry 127.0.0.1:" + port + " is unreachable (")
                .hasMessageContaining("Connection refused");
    }

    /** Jib pulls the base while it talks to the target: a dead base registry is named, not the healthy target. */
    @Test
    void anUnreachableBaseRegistryIsNamedAsTheBaseNotTheHealthyTarget() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String base = "127.0.0.1:" + port + "/base/python:3";
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(irisCopy("deadbase")), "1", "test");
        assertThatThrownBy(() -> new JibImageBuilder(dir.resolve("work"), log::add)
                        .build(new ImagePlan(
                                version, new BaseImage.Registry(base), registry.host() + "/models/iris", insecure())))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageStartingWith("the base image's registry 127.0.0.1:" + port + " is unreachable (")
                .hasMessageContaining("Connection refused")
                .hasMessageContaining("while reading base image " + base)
                .hasMessageEndingWith("the target registry " + registry.host() + " was not the problem");
    }

    @Test
    void aMissingBaseTarIsNamed() throws Exception {
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(irisCopy("nobase")), "1", "test");
        Path missing = dir.resolve("nope.tar");
        assertThatThrownBy(() -> new JibImageBuilder(dir.resolve("work"), log::add)
                        .build(new ImagePlan(
                                version, new BaseImage.Tar(missing), registry.host() + "/models/iris", insecure())))
                .hasMessage("base image tar " + missing + " not found");
    }

    @Test
    void aLinkLeavingTheModelAddedAfterValidationFailsTheBuildNamingItAndPushesNothing() throws Exception {
        Path model = irisCopy("escape");
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(model), "1", "test");
        Path secret = Files.writeString(dir.resolve("escape-secret.key"), "BUILD-MACHINE-SECRET");
        Files.createSymbolicLink(model.resolve("weights.pkl"), secret);
        assertThatThrownBy(() -> new JibImageBuilder(dir.resolve("work"), log::add)
                        .build(new ImagePlan(
                                version, new BaseImage.Scratch(), registry.host() + "/models/escape", insecure())))
                .hasMessageContaining("weights.pkl is a symbolic link to " + secret)
                .hasMessageContaining("outside the model directory")
                .hasMessageNotContaining("BUILD-MACHINE-SECRET");
        assertThat(registry.manifest("models/escape", "1")).isNull();
    }
}
