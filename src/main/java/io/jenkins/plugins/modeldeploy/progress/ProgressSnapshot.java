package io.jenkins.plugins.modeldeploy.progress;

import java.util.Objects;

/**
 * One reading of long work.
 *
 * @param stage what is running, e.g. {@code image}, {@code smoke}, {@code A/B}: a display keeps one line per stage
 * @param text  what it has done so far, one line without the stage, e.g. {@code 1200 sent, 100.0 req/s, 0 errors}
 */
public record ProgressSnapshot(String stage, String text) {
    public ProgressSnapshot {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(text, "text");
        // a reading is one line: a newline in it would break the terminal's rewrite of the live line
        text = text.replace('\r', ' ').replace('\n', ' ');
    }

    /** The line as shown: {@code stage: text}. */
    public String line() {
        return stage + ": " + text;
    }
}
