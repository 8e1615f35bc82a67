package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportFiles;

/**
 * The way back from the agent to the build: events (as their JSON, the bus's own wire form) and log lines. The
 * controller exports its implementation over the agent's channel ({@code VirtualChannel.export}); the agent holds
 * a proxy that calls it by reference, so the controller's bus (build log, RabbitMQ) receives what the engine says.
 */
public interface AgentEvents {
    void event(String json);

    void log(String line);

    /** A smoke test's reports, rendered on the agent, for the controller to keep with the run. */
    void smokeReport(String model, String version, SmokeReportFiles.Rendered reports);
}
