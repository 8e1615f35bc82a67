package io.jenkins.plugins.modeldeploy.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report as a person sees it: headless Chromium renders it and the plots are drawn. */
class SmokeReportRenderingIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path dir;

    @Test
    void chromiumRendersBothPlots() throws Exception {
        assertThat(CHROMIUM)
                .as("Debian's chromium (bin/setup test installs it)")
                .isExecutable();
        SmokeReports.writeAll(SmokeReportsTest.sample(70_000), dir);
        Path png = dir.resolve("report.png");
        Process chromium = new ProcessBuilder(List.of(
                        CHROMIUM.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--hide-scrollbars",
                        "--user-data-dir=" + dir.resolve("profile"),
                        "--window-size=800,1300",
                        "--screenshot=" + png,
                        dir.resolve(SmokeReports.HTML_FILE).toUri().toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("chromium.log").toFile())
                .start();
        assertThat(chromium.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(png).as(Files.readString(dir.resolve("chromium.log"))).exists();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(800);
        // The percentile line (#1f77b4, in the upper plot) and the p99 series (#d97706, in the lower plot).
        int percentileHalf = countColour(image, 0x1f77b4, 0, image.getHeight() * 3 / 5);
        int timelineP99 = countColour(image, 0xd97706, image.getHeight() / 2, image.getHeight());
        assertThat(percentileHalf).as("pixels of the percentile line").isGreaterThan(300);
        assertThat(timelineP99).as("pixels of the p99-over-time line").isGreaterThan(100);
    }

    private static int countColour(BufferedImage image, int rgb, int fromY, int toY) {
        int count = 0;
        for (int y = fromY; y < toY; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int pixel = image.getRGB(x, y) & 0xffffff;
                if (close(pixel, rgb)) {
                    count++;
                }
            }
        }
        return count;
    }

    private static boolean close(int a, int b) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff)) > 12) {
                return false;
            }
        }
        return true;
    }
}
