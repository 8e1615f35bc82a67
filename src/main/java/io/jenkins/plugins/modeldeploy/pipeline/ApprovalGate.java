package io.jenkins.plugins.modeldeploy.pipeline;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Between the verdict and the promotion. The CLI asks (or takes {@code --approve}/{@code --reject}); Jenkins shows
 * a page on the build and resumes the step when someone answers, without blocking an executor.
 */
public interface ApprovalGate {
    Approval await(PromotionRequest request, Duration timeout) throws TimeoutException, InterruptedException;
}
