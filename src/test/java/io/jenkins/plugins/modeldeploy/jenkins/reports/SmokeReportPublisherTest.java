package io.jenkins.plugins.modeldeploy.jenkins.reports;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.Extension;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.smoke.SmokeReportsTestAccess;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The smoke test's reports with the build, and the JUnit plugin kept optional. */
class SmokeReportPublisherTest {
    @TempDir
    Path runRoot;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final TaskListener listener = () -> new PrintStream(log, true, StandardCharsets.UTF_8);

    @Test
    void theReportsLandInTheDocumentedPlaceOfTheRunDirectory() throws Exception {
        SmokeResult result = SmokeReportsTestAccess.sample(70_000);

        SmokeReportPublisher.publish(
                runRoot,
                null,
                listener,
                "iris",
                "7",
                SmokeReportFiles.Rendered.of(result, "iris", "7"),
                List::of,
                null);

        Path dir = runRoot.resolve("model-deploy/iris-7");
        assertThat(dir.resolve("smoke.html")).content().contains("<html");
        assertThat(dir.resolve("smoke.json")).content().contains("\"p99Ms\"");
        assertThat(dir.resolve("smoke.xml"))
                .content()
                .contains("<testsuite ")
                .contains("classname=\"model-deploy.iris-7\"")
                .doesNotContain("classname=\"model-deploy.smoke\"");
        assertThat(SmokeReportFiles.workspaceJUnit("iris", "7"))
                .isEqualTo("model-deploy-reports/iris-7/smoke-junit.xml");
    }

    @Test
    void aReportThatCannotBeWrittenIsLoggedAndTheStepGoesOn() throws Exception {
        Files.writeString(runRoot.resolve("model-deploy"), "a file where the folder should be");

        SmokeReportPublisher.publish(
                runRoot,
                null,
                listener,
                "iris",
                "7",
                SmokeReportFiles.Rendered.of(SmokeReportsTestAccess.sample(1_000), "iris", "7"),
                List::of,
                null);

        assertThat(log.toString(StandardCharsets.UTF_8)).startsWith("smoke report of iris 7 not archived: ");
    }

    @Test
    void onlyTheOptionalExtensionTouchesTheJUnitPlugin() throws IOException {
        assertThat(JUnitTestResultRecorder.class.getAnnotation(Extension.class).optional())
                .isTrue();
        List<Path> users;
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            users = sources.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> {
                        try {
                            return Files.readString(p).contains("hudson.tasks.junit");
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();
        }
        assertThat(users).extracting(p -> p.getFileName().toString()).containsExactly("JUnitTestResultRecorder.java");
    }
}
