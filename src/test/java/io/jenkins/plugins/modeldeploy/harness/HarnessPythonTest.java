package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's own Python unit tests ({@code src/test/python}, standard-library unittest), run against the harness
 * files exactly as they are bundled, with the interpreter the harness runs on, so {@code bin/test} runs them too.
 */
class HarnessPythonTest {
    @TempDir
    Path cache;

    @Test
    void pythonUnitTestsPass() throws Exception {
        Path harness = HarnessFiles.bundled().extractTo(cache).resolve(HarnessFiles.PYTHON_PATH);
        ProcessBuilder builder = new ProcessBuilder(
                        HarnessOptions.defaultPython().toString(),
                        "-m",
                        "unittest",
                        "discover",
                        "-v",
                        "-s",
                        Path.of("src/test/python").toAbsolutePath().toString())
                .redirectErrorStream(true);
        builder.environment().put("PYTHONPATH", harness.toString());
        builder.environment().remove("MODEL_DEPLOY_CPU_REQUEST_MILLIS");
        builder.environment().remove("MODEL_DEPLOY_WORKER_MEMORY");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        // unittest exits 0 with no test found as well ("NO TESTS RAN" on 3.12+, "Ran 0 tests" before)
        assertThat(output).as(output).containsPattern("Ran [1-9][0-9]* tests").endsWith("OK\n");
    }
}
