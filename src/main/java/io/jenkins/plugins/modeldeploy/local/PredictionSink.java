package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.target.VersionRef;

/**
 * Where the local gateway hands each answered prediction for prediction logging. Called on the request's thread after
 * the answer is known: an implementation must never block or throw (it samples, queues boundedly and drops when
 * full).
 */
@FunctionalInterface
public interface PredictionSink {
    PredictionSink NONE = prediction -> {};

    void offer(Prediction prediction);

    /**
     * One answered request.
     *
     * @param version   the version that answered
     * @param route     {@code stable}, {@code version} or {@code shadow}
     * @param requestId the answer's {@code X-Request-Id}, "" when it had none
     * @param request   the request body as received
     * @param status    the answer's status
     * @param response  the answer's body
     * @param nanos     time from the request's arrival to its answer
     */
    record Prediction(
            VersionRef version,
            String route,
            String requestId,
            byte[] request,
            int status,
            byte[] response,
            long nanos) {}
}
