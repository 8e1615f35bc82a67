package io.jenkins.plugins.modeldeploy.image;

/** Where things are inside every model image, and how the harness is started there. */
public final class ImageLayout {
    public static final String ROOT = "/opt/model-deploy";
    public static final String HARNESS = ROOT + "/harness";
    public static final String DEPENDENCIES = ROOT + "/deps";
    /** pip packages of environment.requirements, resolved for the base's Python. */
    public static final String PYTHON_PACKAGES = DEPENDENCIES + "/python";
    /** The R library of environment.r. */
    public static final String R_LIBRARY = DEPENDENCIES + "/r";

    public static final String MODEL = ROOT + "/model";
    public static final String CONFIG = ROOT + "/harness.json";
    public static final int PORT = 8080;
    /** A fixed non-root user and group, so that Kubernetes' runAsNonRoot can check it without a name lookup. */
    public static final String USER = "10001:10001";

    public static final String LABEL_PREFIX = "model-deploy.jenkins.io/";

    private ImageLayout() {}
}
