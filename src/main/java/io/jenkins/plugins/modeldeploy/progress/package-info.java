/**
 * How long work shows its progress: producers (the image build, the smoke test, the A/B test) hand a {@link
 * io.jenkins.plugins.modeldeploy.progress.ProgressSink} one-line readings as often as they like; a {@link
 * io.jenkins.plugins.modeldeploy.progress.ProgressDisplay} shows them on its own schedule — one live line on a
 * terminal, a plain line every few seconds in a build log — and nothing at all where the output is machine-readable.
 * Depends on nothing else in the project, so every package may use it.
 */
package io.jenkins.plugins.modeldeploy.progress;
