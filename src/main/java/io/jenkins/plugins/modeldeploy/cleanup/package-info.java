/**
 * What a run leaves behind and how it goes away: scratch directories and files ({@link
 * io.jenkins.plugins.modeldeploy.cleanup.Scratch}) and child process trees ({@link
 * io.jenkins.plugins.modeldeploy.cleanup.ProcessTree}) are removed when their owner closes them and, failing that,
 * by one JVM shutdown hook ({@link io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup}) on SIGTERM, SIGINT or a normal
 * exit. Depends on nothing else in the project, so every package may use it.
 */
package io.jenkins.plugins.modeldeploy.cleanup;
