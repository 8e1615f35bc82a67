package io.jenkins.plugins.modeldeploy.progress;

/**
 * Where long work reports how far it got. Implementations never block and never write on the caller's thread while
 * the work runs (a load generator's scheduler or Jib's executor calls {@link #update} on its hot path), and are safe
 * to call from several threads.
 */
public interface ProgressSink {
    /** Shows nothing: {@code --output json}, tests, and callers that did not ask for progress. */
    ProgressSink NONE = new ProgressSink() {
        @Override
        public void update(ProgressSnapshot snapshot) {}

        @Override
        public void finish(String stage) {}
    };

    /** The latest reading of a stage; a newer one replaces it before it is shown, which is intended. */
    void update(ProgressSnapshot snapshot);

    /** Convenience for {@link #update(ProgressSnapshot)}. */
    default void update(String stage, String text) {
        update(new ProgressSnapshot(stage, text));
    }

    /**
     * The stage is over (done or failed): its last reading is shown once more as its final line, which stays. Called
     * once, at the end of the work, so it may write on the caller's thread.
     */
    void finish(String stage);
}
