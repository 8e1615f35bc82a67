package io.jenkins.plugins.modeldeploy.jenkins.steps;

import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import hudson.FilePath;
import hudson.remoting.VirtualChannel;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.engine.ResolvedImage;
import io.jenkins.plugins.modeldeploy.jenkins.engine.ResolvedTarget;
import io.jenkins.plugins.modeldeploy.jenkins.engine.SloDefaults;
import java.io.File;
import java.io.IOException;
import jenkins.MasterToSlaveFileCallable;

/**
 * One piece of a step's work, run on the agent through {@code FilePath.act}: it carries only what the controller
 * resolved (cluster, image destination, default SLO, the secrets among them), the build's number and URL, how to
 * find the engine there, a proxy of the controller's {@link AgentEvents}, and the {@link AgentWork}. The model
 * directory is read where it is; nothing of the workspace is copied to the controller.
 */
final class AgentCall<T> extends MasterToSlaveFileCallable<T> {
    private static final long serialVersionUID = 1L;

    final String buildNumber;
    final String runUrl;
    final ResolvedTarget target;
    final ResolvedImage image;
    final SloDefaults slo;
    final EngineFactory.Locator engines;

    @SuppressFBWarnings(
            value = "SE_BAD_FIELD",
            justification = "exported over the agent's channel before the call"
                    + " is serialized (see on): what travels is the channel's serializable proxy")
    private AgentEvents events;

    private final AgentWork<T> work;

    AgentCall(
            String buildNumber,
            String runUrl,
            ResolvedTarget target,
            ResolvedImage image,
            SloDefaults slo,
            EngineFactory.Locator engines,
            AgentEvents events,
            AgentWork<T> work) {
        this.buildNumber = buildNumber;
        this.runUrl = runUrl;
        this.target = target;
        this.image = image;
        this.slo = slo;
        this.engines = engines;
        this.events = events;
        this.work = work;
    }

    /** Runs on the agent that holds {@code workspace}; the controller's events object is exported to it first. */
    static <T> T on(FilePath workspace, AgentCall<T> call) throws IOException, InterruptedException {
        call.events = workspace.getChannel().export(AgentEvents.class, call.events);
        return workspace.act(call);
    }

    /** Runs here (on the controller), for the steps that have no workspace: nothing of a workspace is read. */
    T here() throws IOException, InterruptedException {
        return invoke(null, null);
    }

    /** On the agent: {@code workspace} is the step's workspace there (null when run {@link #here()}). */
    @Override
    public T invoke(File workspace, VirtualChannel channel) throws IOException, InterruptedException {
        try (AgentSession s = new AgentSession(this, workspace == null ? null : workspace.toPath(), events)) {
            return work.run(s);
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) { // FileCallable may throw only these; the message and cause travel back
            throw new IOException(e.getMessage(), e);
        }
    }
}
