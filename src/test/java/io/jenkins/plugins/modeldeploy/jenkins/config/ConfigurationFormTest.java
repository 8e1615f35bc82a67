package io.jenkins.plugins.modeldeploy.jenkins.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.model.Descriptor.FormException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;
import net.sf.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * Manage Jenkins › System › Model deploy as a form submit binds it: {@link ModelDeployConfiguration#configure}.
 * The request double binds as Stapler does, which is what the fix depends on.
 */
class ConfigurationFormTest {
    /**
     * Binds like stapler 2050.v425108fd5089 {@code RequestImpl.bindJSON(Object, JSONObject)} (RequestImpl.java:637-667):
     * for each key PRESENT in the JSON, the {@code @DataBoundSetter} of that name is called; a key without a setter is
     * skipped; a setter's RuntimeException is rethrown unchanged. Values are given already converted (a list of
     * clusters stands for what Stapler instantiates from the repeated JSON objects).
     */
    static final class StaplerLikeRequest implements StaplerRequest2 {
        @Override
        public void bindJSON(Object bean, JSONObject src) {
            for (String key : src.keySet()) {
                Method setter = setter(bean.getClass(), key);
                if (setter == null) {
                    continue;
                }
                try {
                    setter.invoke(bean, src.get(key));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                } catch (InvocationTargetException e) {
                    if (e.getTargetException() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new AssertionError(e);
                }
            }
        }

        private static Method setter(Class<?> type, String key) {
            String name = "set" + key.substring(0, 1).toUpperCase(Locale.ROOT) + key.substring(1);
            for (Method m : type.getMethods()) {
                if (m.getName().equals(name)
                        && m.getParameterCount() == 1
                        && m.isAnnotationPresent(DataBoundSetter.class)) {
                    return m;
                }
            }
            return null;
        }
    }

    private static ModelDeployConfiguration configured() {
        ModelDeployConfiguration config = new ModelDeployConfiguration();
        ClusterConfig prod = new ClusterConfig("prod");
        prod.setKubeconfigCredentialsId("kubeconfig-prod");
        config.setClusters(List.of(prod));
        config.setRegistries(List.of(new RegistryConfig("registry.example.com/models")));
        config.setApprovalTimeout("24h");
        return config;
    }

    @Test
    void deletingTheLastClusterAndRegistryEmptiesTheLists() throws Exception {
        ModelDeployConfiguration config = configured();
        // the form with no cluster and no registry left: the repeatable lists send no key at all
        JSONObject form = new JSONObject().element("eventsUri", "").element("approvalTimeout", "8h");

        assertThat(config.configure(new StaplerLikeRequest(), form)).isTrue();

        assertThat(config.getClusters()).isEmpty();
        assertThat(config.getRegistries()).isEmpty();
        assertThat(config.getApprovalTimeout()).isEqualTo("8h");
    }

    @Test
    void submittedListsReplaceTheOldOnes() throws Exception {
        ModelDeployConfiguration config = configured();
        JSONObject form = new JSONObject()
                .element("clusters", List.of(new ClusterConfig("dev")))
                .element("approvalTimeout", "24h");

        config.configure(new StaplerLikeRequest(), form);

        assertThat(config.getClusters()).extracting(ClusterConfig::getName).containsExactly("dev");
        assertThat(config.getRegistries()).isEmpty();
    }

    @Test
    void aRefusedValueIsAFormExceptionNamingTheFieldAndChangesNothing() {
        ModelDeployConfiguration config = configured();
        JSONObject form = new JSONObject()
                .element("clusters", List.of(new ClusterConfig("dev")))
                .element("approvalTimeout", "1h")
                .element("eventsUri", "http://rabbit:5672/");

        assertThatThrownBy(() -> config.configure(new StaplerLikeRequest(), form))
                .isInstanceOfSatisfying(FormException.class, e -> {
                    assertThat(e.getFormField()).isEqualTo("eventsUri");
                    assertThat(e.getMessage()).startsWith("eventsUri: ");
                });
        assertThat(config.getClusters()).extracting(ClusterConfig::getName).containsExactly("prod");
        assertThat(config.getRegistries()).hasSize(1);
        assertThat(config.getApprovalTimeout()).isEqualTo("24h");
        assertThat(config.getEventsUri()).isNull();
    }

    @Test
    void duplicateClusterNamesAreAFormExceptionOnTheClusters() {
        ModelDeployConfiguration config = configured();
        JSONObject form =
                new JSONObject().element("clusters", List.of(new ClusterConfig("dev"), new ClusterConfig("dev")));

        assertThatThrownBy(() -> config.configure(new StaplerLikeRequest(), form))
                .isInstanceOfSatisfying(
                        FormException.class, e -> assertThat(e.getFormField()).isEqualTo("clusters"));
        assertThat(config.getClusters()).extracting(ClusterConfig::getName).containsExactly("prod");
    }

    @Test
    void theFieldOfAMessageWithoutOneIsTheFirstKeyOfTheForm() {
        JSONObject form = new JSONObject().element("clusters", List.of());
        assertThat(ModelDeployConfiguration.field("Error binding field x", form))
                .isEqualTo("clusters");
        assertThat(ModelDeployConfiguration.field("abTest.gate: \"x\" …", form)).isEqualTo("abTest.gate");
    }
}
