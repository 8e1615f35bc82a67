package io.jenkins.plugins.modeldeploy.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which base a model gets, and how the cache names a base with a model's Debian packages. */
class BaseImagesTest {
    @TempDir
    Path dir;

    private ModelSpec spec(String environment) throws Exception {
        Files.writeString(dir.resolve("model.py"), "def predict(x): return x\n");
        Files.writeString(
                dir.resolve("model.yaml"), "name: toy\nruntime: python\nentrypoint: model:predict\n" + environment);
        return new ModelSpecLoader().load(dir);
    }

    @Test
    void aChosenBaseAndEnvironmentDebianExcludeEachOther() throws Exception {
        ModelSpec spec = spec("environment: {debian: [python3-pandas]}\n");
        assertThatThrownBy(() -> BaseImages.forSpec(spec, Optional.of("registry:5000/base:1"), "--base-image", l -> {}))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageStartingWith("--base-image registry:5000/base:1 and environment.debian (python3-pandas) of"
                        + " toy exclude each other");
    }

    @Test
    void withoutDebianPackagesTheChosenOrDefaultBaseIsUsed() throws Exception {
        ModelSpec spec = spec("");
        assertThat(BaseImages.forSpec(spec, Optional.of("scratch"), "--base-image", l -> {}))
                .contains(new BaseImage.Scratch());
        assertThat(BaseImages.forSpec(spec, Optional.empty(), "--base-image", l -> {}))
                .isEqualTo(BaseImages.defaultFor(ModelRuntime.PYTHON).map(BaseImage::parse));
    }

    @Test
    void theCacheIsKeyedByTheSortedSetAndTheSnapshot() {
        Path plain = BaseImageCache.path(ModelRuntime.R, List.of(), Optional.empty());
        Path glue = BaseImageCache.path(ModelRuntime.R, List.of("r-cran-glue", "r-cran-jsonlite"), Optional.empty());
        assertThat(BaseImageCache.path(
                        ModelRuntime.R, List.of("r-cran-jsonlite", "r-cran-glue", "r-cran-glue"), Optional.empty()))
                .isEqualTo(glue);
        assertThat(glue).isNotEqualTo(plain);
        assertThat(BaseImageCache.path(ModelRuntime.R, List.of("r-cran-glue"), Optional.of("20261101T000000Z")))
                .isNotEqualTo(BaseImageCache.path(ModelRuntime.R, List.of("r-cran-glue"), Optional.empty()));
        assertThat(BaseImageBuilder.packages(ModelRuntime.PYTHON, List.of("python3-pandas", "python3")))
                .containsExactly("ca-certificates", "python3", "python3-numpy", "python3-pandas", "python3-sklearn");
        assertThat(BaseImageBuilder.snapshotMirrors("20261101T000000Z"))
                .first()
                .isEqualTo("deb http://snapshot.debian.org/archive/debian/20261101T000000Z bookworm main");
    }

    @Test
    void packagesTheRuntimesBaseAlreadyHasShareItsCacheFileAndAcceptAChosenBase() throws Exception {
        // iris lists python3-sklearn, which the python base has: no base of its own, and --base-image is taken
        ModelSpec spec = spec("environment: {debian: [python3-sklearn, python3-numpy]}\n");
        assertThat(BaseImageCache.path(ModelRuntime.PYTHON, spec.environment().debian(), Optional.empty()))
                .isEqualTo(BaseImageCache.path(ModelRuntime.PYTHON, List.of(), Optional.empty()));
        assertThat(BaseImages.forSpec(spec, Optional.of("tar:/tmp/base.tar"), "--base-image", l -> {}))
                .contains(new BaseImage.Tar(Path.of("/tmp/base.tar")));
        ModelSpec pandas = spec("environment: {debian: [python3-sklearn, python3-pandas]}\n");
        assertThatThrownBy(() -> BaseImages.forSpec(pandas, Optional.of("scratch"), "--base-image", l -> {}))
                .hasMessageStartingWith("--base-image scratch and environment.debian (python3-pandas) of toy");
        assertThat(BaseImageBuilder.extrasBeyond(ModelRuntime.R, List.of("r-cran-glue", "r-base-core")))
                .containsExactly("r-cran-glue");
    }
}
