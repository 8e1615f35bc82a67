package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import java.util.Optional;

/** What an approver decides on: the versions, their images and the evidence. */
public record PromotionRequest(String model, String champion, String challenger, Optional<String> championImage,
        Optional<String> challengerImage, Optional<SmokeResult> smoke, ExperimentResult experiment) {}
