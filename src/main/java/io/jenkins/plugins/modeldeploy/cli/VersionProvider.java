package io.jenkins.plugins.modeldeploy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** The project version, from a resource Maven filters at build time. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/model-deploy-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return new String[] {"model-deploy " + properties.getProperty("version", "(unknown version)")};
    }
}
