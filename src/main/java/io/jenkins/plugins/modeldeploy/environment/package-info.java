/**
 * A model's declared environment ({@code environment:} in {@code model.yaml}) resolved into directories the image and
 * local processes share: pip packages installed with {@code pip --target} for the base's Python, R packages into an
 * R library, both cached under {@code ~/.cache/model-deploy/environments/<key>} by a SHA-256 of their inputs, and the
 * extra Debian packages the base must carry. Depends on {@code model} and {@code cleanup} only.
 */
package io.jenkins.plugins.modeldeploy.environment;
