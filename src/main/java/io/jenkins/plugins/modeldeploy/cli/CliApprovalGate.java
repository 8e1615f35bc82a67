package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.ApprovalGate;
import io.jenkins.plugins.modeldeploy.pipeline.PromotionRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The CLI's approval: {@code --approve} or {@code --reject} decide in advance; otherwise a terminal is asked, and
 * without one the promotion is rejected (a script that did not say yes did not approve).
 */
final class CliApprovalGate implements ApprovalGate {
    enum Decision {
        APPROVE,
        REJECT,
        ASK
    }

    private final Decision decision;
    private final PrintWriter prompt;
    private final String user = System.getProperty("user.name", "cli");

    CliApprovalGate(Decision decision, PrintWriter prompt) {
        this.decision = decision;
        this.prompt = prompt;
    }

    @Override
    public Approval await(PromotionRequest request, Duration timeout) throws TimeoutException, InterruptedException {
        switch (decision) {
            case APPROVE -> {
                return new Approval(true, user, Instant.now(), "--approve");
            }
            case REJECT -> {
                return new Approval(false, user, Instant.now(), "--reject");
            }
            default -> {
                if (System.console() == null) {
                    return new Approval(false, user, Instant.now(), "no --approve or --reject, and no terminal to ask");
                }
                prompt.printf(
                        "%nA/B test: %s%nPromote %s %s over %s? [y/N] ",
                        request.summary(), request.model(), request.challenger(), request.champion());
                prompt.flush();
                CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                    try {
                        String line =
                                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                        return line == null ? "" : line;
                    } catch (IOException e) {
                        return "";
                    }
                });
                try {
                    String text = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            .trim()
                            .toLowerCase(Locale.ROOT);
                    boolean yes = text.equals("y") || text.equals("yes");
                    return new Approval(yes, user, Instant.now(), "answered \"" + text + "\" at the prompt");
                } catch (ExecutionException e) {
                    return new Approval(false, user, Instant.now(), "the prompt failed: " + e.getCause());
                }
            }
        }
    }
}
