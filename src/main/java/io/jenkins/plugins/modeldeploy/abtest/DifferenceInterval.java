package io.jenkins.plugins.modeldeploy.abtest;

/**
 * A confidence interval for a difference of two rates, challenger rate minus champion rate (0.01 = the challenger's
 * rate is one percentage point higher). Both bounds lie in [-1, 1].
 */
public record DifferenceInterval(double lower, double upper) {
    /** Knows nothing: every difference of two rates is possible. */
    public static final DifferenceInterval UNBOUNDED = new DifferenceInterval(-1, 1);

    public DifferenceInterval {
        if (!(lower >= -1 && upper <= 1 && lower <= upper)) {
            throw new IllegalArgumentException("not an interval within [-1, 1]: [" + lower + ", " + upper + "]");
        }
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
