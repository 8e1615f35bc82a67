package io.jenkins.plugins.modeldeploy.smoke;

/** One second of a run (by intended send time, warm-up included): how many requests, and their latencies. */
public record TimelinePoint(int second, long requests, long errors, double p50Ms, double p99Ms, double maxMs) {}
