package io.jenkins.plugins.modeldeploy.jenkins.steps;

import java.io.Serializable;
import java.util.LinkedHashMap;

/**
 * A deployment waiting for approval, as stored with the Pipeline: which version, and the step's result so far (the
 * evidence is on the promotion page; the release's state is in the cluster, where the lifecycle continues it).
 */
public final class Checkpoint implements Serializable {
    private static final long serialVersionUID = 2L;

    public final String model;
    public final String version;
    /** What the step returns, filled as it goes (see {@link DeployFlow#summary}). */
    public final LinkedHashMap<String, Object> result;

    public Checkpoint(String model, String version, LinkedHashMap<String, Object> result) {
        this.model = model;
        this.version = version;
        this.result = result;
    }
}
