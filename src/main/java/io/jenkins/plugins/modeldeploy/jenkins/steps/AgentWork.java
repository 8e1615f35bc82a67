package io.jenkins.plugins.modeldeploy.jenkins.steps;

import java.io.Serializable;

/**
 * What a step does where its workspace is: sent over the agent's channel inside an {@link AgentCall}, so it captures
 * only serializable values (the step's options, strings) and returns one; never the execution, the services or
 * anything of the controller.
 */
@FunctionalInterface
interface AgentWork<T> extends Serializable {
    T run(AgentSession s) throws Exception;
}
