package io.jenkins.plugins.modeldeploy.pipeline;

import java.nio.file.Path;

/**
 * A promotion or rollback in its own JVM that announces each stored step on stdout and, at the chosen step, stops
 * and waits to be killed — what {@code PromotionCrashIT} SIGKILLs.
 * Arguments: state directory, weights file, {@code promote} or {@code rollback}, the step to stop at.
 */
public final class CrashablePromotion {
    private CrashablePromotion() {}

    public static void main(String[] args) throws Exception {
        PromotionsTest.World world = new PromotionsTest.World(Path.of(args[0]), Path.of(args[1]));
        String stopAt = args[3];
        Promotions promotions = new Promotions(world, event -> { }, step -> {
            System.out.println("STEP " + step);
            System.out.flush();
            if (step.equals(stopAt)) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        if (args[2].equals("promote")) {
            promotions.promote("iris", "2", Approval.automatic("crash test"));
        } else {
            promotions.rollback("iris", "crash test");
        }
        System.out.println("DONE");
    }
}
