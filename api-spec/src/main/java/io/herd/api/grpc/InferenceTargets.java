package io.herd.api.grpc;

import io.herd.api.inference.InferenceProvider;

/**
 * How a gRPC front end finds who serves a model: the gateway asks its model router, a worker its one
 * in-process provider. Same rule as REST: the provider sees its own model name, the client its own.
 */
@FunctionalInterface
public interface InferenceTargets {

    /** @throws io.herd.api.common.NotFoundException when no provider serves {@code modelId} */
    Target resolve(String modelId);

    /**
     * @param provider        who serves the request
     * @param providerModelId the {@code model} the provider is called with
     * @param clientModelId   the {@code model} answers carry back to the client
     */
    record Target(InferenceProvider provider, String providerModelId, String clientModelId) {
    }
}
