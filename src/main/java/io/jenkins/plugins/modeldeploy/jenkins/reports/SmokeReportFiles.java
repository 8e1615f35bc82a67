package io.jenkins.plugins.modeldeploy.jenkins.reports;

import io.jenkins.plugins.modeldeploy.smoke.SmokeReports;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Where a smoke test's reports live, and their content as Jenkins records them. This is the documented place other
 * parts of the plugin (the run's deployment action) read them from:
 * <ul>
 *   <li>with the run, on the controller: {@code <run dir>/model-deploy/<model>-<version>/smoke.html} (the report
 *       page), {@code smoke.xml} (JUnit XML) and {@code smoke.json};</li>
 *   <li>in the workspace, so a {@code junit} step can pick it up too:
 *       {@code model-deploy-reports/<model>-<version>/smoke-junit.xml}.</li>
 * </ul>
 */
public final class SmokeReportFiles {
    /** The folder of the run's directory holding the plugin's reports. */
    public static final String RUN_FOLDER = "model-deploy";

    public static final String HTML = "smoke.html";
    public static final String JUNIT = "smoke.xml";
    public static final String JSON = "smoke.json";
    /** The workspace folder of the JUnit copies. */
    public static final String WORKSPACE_FOLDER = "model-deploy-reports";

    private SmokeReportFiles() {}

    /** {@code <runRoot>/model-deploy/<model>-<version>}. */
    public static Path runDirectory(Path runRoot, String model, String version) {
        return runRoot.resolve(RUN_FOLDER).resolve(model + "-" + version);
    }

    /** The workspace-relative path of the JUnit XML, as a {@code junit} pattern would name it. */
    public static String workspaceJUnit(String model, String version) {
        return WORKSPACE_FOLDER + "/" + model + "-" + version + "/" + SmokeReports.JUNIT_FILE;
    }

    /**
     * The JUnit XML, one test case per threshold, its class named after the version ({@code model-deploy.<model>-
     * <version>}) so several smoke tests in one build are told apart in the test result.
     */
    public static String junit(SmokeResult result, String model, String version) {
        return SmokeReports.junit(result)
                .replace(
                        "classname=\"model-deploy.smoke\"", "classname=\"model-deploy." + model + "-" + version + "\"");
    }

    /**
     * A smoke test's three reports as text: rendered where the test ran (the agent) and sent to the controller, which
     * keeps them with the run.
     */
    public record Rendered(String html, String junitXml, String json) implements java.io.Serializable {
        public static Rendered of(SmokeResult result, String model, String version) {
            return new Rendered(
                    SmokeReports.html(result),
                    junit(result, model, version),
                    SmokeReports.json(result).toPrettyString());
        }
    }

    /** Writes the three reports into {@code dir} (created), each replaced atomically; returns the files. */
    public static List<Path> writeRunReports(Path dir, Rendered reports) throws IOException {
        Files.createDirectories(dir);
        return List.of(
                write(dir, HTML, reports.html()),
                write(dir, JUNIT, reports.junitXml()),
                write(dir, JSON, reports.json()));
    }

    private static Path write(Path dir, String name, String content) throws IOException {
        Path temp = Files.createTempFile(dir, "." + name, ".tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        return Files.move(temp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
