package io.jenkins.plugins.modeldeploy.route;

import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;

/**
 * Whether a Service has a ready endpoint, read as Traefik's CRD provider reads it: from the Service's
 * discovery.k8s.io/v1 EndpointSlices (label {@code kubernetes.io/service-name}), else from its core/v1 Endpoints.
 * An endpoint counts when {@code conditions.ready} is not false (the API says a missing value means ready); a
 * terminating endpoint is on its way out and does not count.
 */
final class EndpointReadiness {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final KubernetesClient client;
    private final String namespace;

    EndpointReadiness(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /**
     * True or false when the cluster says; empty when it has neither EndpointSlices nor Endpoints for the Service (or
     * we may not read them): then nothing is known, and the caller does not leave the version out on a guess.
     */
    Optional<Boolean> ready(String service) {
        try {
            List<EndpointSlice> slices = client.discovery()
                    .v1()
                    .endpointSlices()
                    .inNamespace(namespace)
                    .withLabel(SERVICE_NAME_LABEL, service)
                    .list()
                    .getItems();
            if (!slices.isEmpty()) {
                return Optional.of(slices.stream()
                        .filter(slice -> slice.getEndpoints() != null)
                        .flatMap(slice -> slice.getEndpoints().stream())
                        .anyMatch(EndpointReadiness::ready));
            }
        } catch (KubernetesClientException e) {
            // 403 (the Role lacks endpointslices list) or 404 (an API server without discovery/v1): try Endpoints
        }
        try {
            Endpoints endpoints =
                    client.endpoints().inNamespace(namespace).withName(service).get();
            if (endpoints == null) {
                return Optional.empty();
            }
            List<EndpointSubset> subsets = endpoints.getSubsets() == null ? List.of() : endpoints.getSubsets();
            return Optional.of(subsets.stream()
                    .anyMatch(s -> s.getAddresses() != null && !s.getAddresses().isEmpty()));
        } catch (KubernetesClientException e) {
            return Optional.empty();
        }
    }

    private static boolean ready(Endpoint endpoint) {
        if (endpoint.getConditions() == null) {
            return true;
        }
        Boolean ready = endpoint.getConditions().getReady();
        Boolean terminating = endpoint.getConditions().getTerminating();
        return !Boolean.FALSE.equals(ready) && !Boolean.TRUE.equals(terminating);
    }
}
