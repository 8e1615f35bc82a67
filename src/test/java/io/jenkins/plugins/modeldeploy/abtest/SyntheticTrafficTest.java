package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticTrafficTest {
    @Test
    void everyStickyUserSendsEveryPayloadEvenWithAsManyPayloadsAsUsers() {
        for (int payloads : new int[] {1, 3, 67, SyntheticTraffic.STICKY_USERS, 201, 450}) {
            Map<Integer, Set<Integer>> sentBy = new HashMap<>();
            int rounds = SyntheticTraffic.STICKY_USERS * payloads * 2;
            for (int n = 0; n < rounds; n++) {
                sentBy.computeIfAbsent(n % SyntheticTraffic.STICKY_USERS, u -> new HashSet<>())
                        .add(SyntheticTraffic.payload(n, payloads));
            }
            assertThat(sentBy).hasSize(SyntheticTraffic.STICKY_USERS);
            int expected = payloads;
            assertThat(sentBy.values())
                    .as("%d payloads", payloads)
                    .allSatisfy(p -> assertThat(p).hasSize(expected));
        }
    }
}
