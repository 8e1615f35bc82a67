package io.jenkins.plugins.modeldeploy.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    @Test
    void constantRateSpacesRequestsEvenly() {
        Schedule schedule = Schedule.constant(100, Duration.ofSeconds(30));
        assertThat(schedule.count()).isEqualTo(3000);
        assertThat(schedule.offsetNanos(0)).isZero();
        assertThat(schedule.offsetNanos(1)).isEqualTo(10_000_000);
        assertThat(schedule.offsetNanos(2999)).isEqualTo(29_990_000_000L);
    }

    @Test
    void rampIntegratesTheLinearRate() {
        Schedule ramp = new Schedule(10, 100, Duration.ofSeconds(10));
        assertThat(ramp.count()).isEqualTo(550); // (10 + 100) / 2 * 10
        long previous = -1;
        for (long i = 0; i < ramp.count(); i++) {
            long offset = ramp.offsetNanos(i);
            assertThat(offset)
                    .isGreaterThan(previous)
                    .isLessThan(Duration.ofSeconds(10).toNanos());
            previous = offset;
        }
        // Half-way in time the rate is 55/s and N(5 s) = 10*5 + 9*25/2 = 162.5 requests have been scheduled.
        assertThat(ramp.offsetNanos(162) / 1e9).isCloseTo(5.0, within(0.01));
        assertThat(ramp.rateAt(5)).isEqualTo(55);
        // Spacing near the end matches 1/100 s.
        assertThat((ramp.offsetNanos(549) - ramp.offsetNanos(548)) / 1e6).isCloseTo(10.0, within(0.1));
    }

    @Test
    void rejectsImpossibleRates() {
        assertThatThrownBy(() -> Schedule.constant(0, Duration.ofSeconds(1)))
                .hasMessage("rates must be between 0 and 1000000 requests/s, were 0.0 and 0.0");
        assertThatThrownBy(() -> LoadProfile.constant(10, Duration.ofSeconds(5), Duration.ofSeconds(5)))
                .hasMessage("warm-up must be at least 0 and shorter than the duration (5000 ms), was 5000 ms");
    }
}
