package io.herd.api.grpc;

import io.grpc.stub.StreamObserver;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;

/**
 * The {@code herd.v1.InferenceService} on top of inference providers: each proto request becomes the SPI
 * request the REST API would build, is prepared (validated, routed) by the front end's {@link InferenceTargets},
 * and the provider's answer goes back as proto, so REST and gRPC give the same answers. Used by the gateway
 * and by workers.
 */
public final class InferenceGrpcService extends io.herd.api.grpc.v1.InferenceServiceGrpc.InferenceServiceImplBase {

    private final InferenceTargets targets;

    public InferenceGrpcService(InferenceTargets targets) {
        this.targets = targets;
    }

    @Override
    public void createChatCompletion(io.herd.api.grpc.v1.ChatCompletionRequest request,
                                     StreamObserver<io.herd.api.grpc.v1.ChatCompletion> observer) {
        ReactiveCalls.unary(() -> {
            return targets.prepare(ProtoMapper.fromProto(request, false)).flatMap(call ->
                    call.provider().chatCompletion((ChatCompletionRequest) call.providerRequest())
                            .map(c -> c.withModel(call.clientModelId())));
        }, ProtoMapper::toProto, observer);
    }

    @Override
    public void streamChatCompletion(io.herd.api.grpc.v1.ChatCompletionRequest request,
                                     StreamObserver<io.herd.api.grpc.v1.ChatCompletionChunk> observer) {
        ReactiveCalls.serverStream(() -> {
            return targets.prepare(ProtoMapper.fromProto(request, true)).flatMapMany(call ->
                    call.provider().streamChatCompletion((ChatCompletionRequest) call.providerRequest())
                            .map(c -> c.withModel(call.clientModelId())));
        }, ProtoMapper::toProto, observer);
    }

    @Override
    public void createCompletion(io.herd.api.grpc.v1.CompletionRequest request,
                                 StreamObserver<io.herd.api.grpc.v1.Completion> observer) {
        ReactiveCalls.unary(() -> {
            return targets.prepare(ProtoMapper.fromProto(request, false)).flatMap(call ->
                    call.provider().completion((CompletionRequest) call.providerRequest())
                            .map(c -> c.withModel(call.clientModelId())));
        }, ProtoMapper::toProto, observer);
    }

    @Override
    public void streamCompletion(io.herd.api.grpc.v1.CompletionRequest request,
                                 StreamObserver<io.herd.api.grpc.v1.Completion> observer) {
        ReactiveCalls.serverStream(() -> {
            return targets.prepare(ProtoMapper.fromProto(request, true)).flatMapMany(call ->
                    call.provider().streamCompletion((CompletionRequest) call.providerRequest())
                            .map(c -> c.withModel(call.clientModelId())));
        }, ProtoMapper::toProto, observer);
    }

    @Override
    public void createEmbeddings(io.herd.api.grpc.v1.EmbeddingsRequest request,
                                 StreamObserver<io.herd.api.grpc.v1.EmbeddingsResponse> observer) {
        ReactiveCalls.unary(() -> {
            return targets.prepare(ProtoMapper.fromProto(request)).flatMap(call ->
                    call.provider().embeddings((EmbeddingsRequest) call.providerRequest())
                            .map(r -> r.withModel(call.clientModelId())));
        }, ProtoMapper::toProto, observer);
    }
}
