package io.jenkins.plugins.modeldeploy.abtest;

/**
 * A confidence interval for a difference, challenger minus champion: of two rates (0.01 = the challenger's rate is
 * one percentage point higher; both bounds then lie in [-1, 1]) or of two means, in the metric's units (any bounds,
 * infinite before any reading: {@link #EVERYTHING}).
 */
public record DifferenceInterval(double lower, double upper) {
    /** Knows nothing: every difference of two rates is possible. */
    public static final DifferenceInterval UNBOUNDED = new DifferenceInterval(-1, 1);

    /** Knows nothing about a difference of two means. */
    public static final DifferenceInterval EVERYTHING =
            new DifferenceInterval(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);

    public DifferenceInterval {
        if (!(lower <= upper)) { // also refuses NaN
            throw new IllegalArgumentException("not an interval: [" + lower + ", " + upper + "]");
        }
    }

    /** The interval centred on {@code centre} with the given radius, unclipped (a difference of means). */
    static DifferenceInterval centred(double centre, double radius) {
        return new DifferenceInterval(centre - radius, centre + radius);
    }

    /** The interval centred on {@code centre} with the given radius, clipped to [-1, 1]. */
    static DifferenceInterval around(double centre, double radius) {
        double lower = Math.max(-1, centre - radius);
        double upper = Math.min(1, centre + radius);
        if (lower > upper) { // a centre outside [-1, 1] with a small radius; cannot happen for rates
            lower = upper = Math.max(-1, Math.min(1, centre));
        }
        return new DifferenceInterval(lower, upper);
    }

    /**
     * The part of this interval that {@code other} also covers. Two disjoint intervals leave the endpoint of this one
     * nearest to the other: the result stays inside this interval (the running interval only shrinks), and every
     * value outside {@code other} that this one excluded stays excluded.
     */
    DifferenceInterval intersect(DifferenceInterval other) {
        if (other.lower > upper) {
            return new DifferenceInterval(upper, upper);
        }
        if (other.upper < lower) {
            return new DifferenceInterval(lower, lower);
        }
        return new DifferenceInterval(Math.max(lower, other.lower), Math.min(upper, other.upper));
    }

    public boolean contains(double difference) {
        return lower <= difference && difference <= upper;
    }
}
