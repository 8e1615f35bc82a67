package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.route.TraefikRoutes;
import org.junit.jupiter.api.Test;

class ModelLabelsTest {
    @Test
    void theRoutePackagesCopyOfTheLabelKeysAgrees() {
        // route repeats the keys because it must not depend on kube; the catalog finds routes by them.
        assertThat(TraefikRoutes.NAME_LABEL).isEqualTo(ModelLabels.NAME);
        assertThat(TraefikRoutes.MANAGED_BY_LABEL).isEqualTo(ModelLabels.MANAGED_BY);
        assertThat(TraefikRoutes.MANAGER).isEqualTo(ModelLabels.MANAGER);
    }
}
