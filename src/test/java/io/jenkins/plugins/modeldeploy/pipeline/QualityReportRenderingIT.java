package io.jenkins.plugins.modeldeploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The A/B section's quality plot as a person sees it: headless Chromium draws the variants and the threshold. */
class QualityReportRenderingIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path dir;

    @Test
    void chromiumDrawsTheQualityPlot() throws Exception {
        assertThat(CHROMIUM)
                .as("Debian's chromium (bin/setup test installs it)")
                .isExecutable();
        Path html = dir.resolve("quality.html");
        Files.writeString(
                html,
                "<!DOCTYPE html><html><body>"
                        + QualityReport.section(QualityReportTest.result(ExperimentPlan.Mode.AB, ShadowStats.NONE))
                        + "</body></html>");
        Path png = dir.resolve("quality.png");
        Process chromium = new ProcessBuilder(List.of(
                        CHROMIUM.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--hide-scrollbars",
                        "--user-data-dir=" + dir.resolve("profile"),
                        "--window-size=800,600",
                        "--screenshot=" + png,
                        html.toUri().toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("chromium.log").toFile())
                .start();
        assertThat(chromium.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(png).as(Files.readString(dir.resolve("chromium.log"))).exists();
        BufferedImage image = ImageIO.read(png.toFile());
        // the values panel is the upper part: the challenger's line (#dc2626) above the champion's (#2563eb)
        int[] challenger = rows(image, 0xdc2626, 0, image.getHeight() / 2);
        int[] champion = rows(image, 0x2563eb, 0, image.getHeight() / 2);
        assertThat(challenger[0]).as("pixels of the challenger's line").isGreaterThan(100);
        assertThat(champion[0]).as("pixels of the champion's line").isGreaterThan(100);
        assertThat(challenger[1]).as("the challenger's line lies above").isLessThan(champion[1]);
        // the difference panel: the gate's dashed threshold (#b45309) is drawn
        assertThat(rows(image, 0xb45309, image.getHeight() / 3, image.getHeight())[0])
                .as("pixels of the threshold")
                .isGreaterThan(100);
    }

    /** How many pixels of the colour, and their mean row. */
    private static int[] rows(BufferedImage image, int rgb, int fromY, int toY) {
        long count = 0;
        long sum = 0;
        for (int y = fromY; y < toY; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int pixel = image.getRGB(x, y) & 0xffffff;
                boolean close = true;
                for (int shift = 0; shift <= 16; shift += 8) {
                    close &= Math.abs(((pixel >> shift) & 0xff) - ((rgb >> shift) & 0xff)) <= 12;
                }
                if (close) {
                    count++;
                    sum += y;
                }
            }
        }
        return new int[] {(int) count, count == 0 ? -1 : (int) (sum / count)};
    }
}
