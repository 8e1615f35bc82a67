package io.jenkins.plugins.modeldeploy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code route:} section of model.yaml. */
class RouteSettingsTest {
    @TempDir
    Path dir;

    private ModelSpec load(String route) throws IOException, InvalidModelSpecException {
        Files.writeString(dir.resolve("model.py"), "class Classifier: pass\n");
        Files.writeString(
                dir.resolve("model.yaml"), "name: iris\nruntime: python\nentrypoint: model:Classifier\n" + route);
        return new ModelSpecLoader().load(dir);
    }

    @Test
    void aModelWithoutRouteHasNone() throws Exception {
        assertThat(load("").route()).isEqualTo(RouteSettings.NONE);
    }

    @Test
    void entryPointsTlsAndMiddlewaresAreRead() throws Exception {
        RouteSettings route = load("""
                route:
                  entryPoints: [websecure]
                  tls: {certResolver: letsencrypt}
                  middlewares:
                  - name: iris-auth
                  - {name: rate-limit, namespace: traefik}
                """).route();
        assertThat(route.entryPoints()).contains(List.of("websecure"));
        assertThat(route.tls()).contains(new RouteSettings.Tls(Optional.empty(), Optional.of("letsencrypt")));
        assertThat(route.middlewares())
                .contains(List.of(
                        new RouteSettings.Middleware("iris-auth", Optional.empty()),
                        new RouteSettings.Middleware("rate-limit", Optional.of("traefik"))));
    }

    @Test
    void everyProblemNamesItsField() {
        assertThatThrownBy(() -> load("""
                        route:
                          entryPoints: [web, "no way"]
                          tls: {secretName: cert, certResolver: le}
                          middlewares: [{namespace: Traefik}, {name: ok, colour: red}]
                          port: 443
                        """))
                .isInstanceOfSatisfying(
                        InvalidModelSpecException.class,
                        e -> assertThat(e.problems())
                                .extracting(SpecProblem::field)
                                .containsExactlyInAnyOrder(
                                        "route.port",
                                        "route.entryPoints[1]",
                                        "route.tls",
                                        "route.middlewares[0].name",
                                        "route.middlewares[0].namespace",
                                        "route.middlewares[1].colour"));
    }
}
