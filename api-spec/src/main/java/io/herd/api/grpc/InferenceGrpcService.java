package io.herd.api.grpc;

import io.grpc.stub.StreamObserver;
import io.herd.api.grpc.v1.InferenceServiceGrpc;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;

/**
 * The {@code herd.v1.InferenceService} on top of inference providers: validates each request as REST does,
 * resolves its model, and calls the provider with the same SPI request the REST API would build, so REST
 * and gRPC give the same answers. Used by the gateway (through its model router) and by workers.
 */
public final class InferenceGrpcService extends InferenceServiceGrpc.InferenceServiceImplBase {

    private final InferenceTargets targets;

    public InferenceGrpcService(InferenceTargets targets) {
        this.targets = targets;
    }

    @Override
    public void createChatCompletion(io.herd.api.grpc.v1.ChatCompletionRequest request,
                                     StreamObserver<io.herd.api.grpc.v1.ChatCompletion> observer) {
        ReactiveCalls.unary(() -> {
            ChatCompletionRequest chat = ProtoMapper.fromProto(request, false).validate();
            InferenceTargets.Target target = targets.resolve(chat.model());
            return target.provider().chatCompletion(chat.withModel(target.providerModelId()))
                    .map(c -> c.withModel(target.clientModelId()));
        }, ProtoMapper::toProto, observer);
    }

    @Override
    public void streamChatCompletion(io.herd.api.grpc.v1.ChatCompletionRequest request,
                                     StreamObserver<io.herd.api.grpc.v1.ChatCompletionChunk> observer) {
        ReactiveCalls.serverStream(() -> {
            ChatCompletionRequest chat = ProtoMapper.fromProto(request, true).validate();
            InferenceTargets.Target target = targets.resolve(chat.model());
            return target.provider().streamChatCompletion(chat.withModel(target.providerModelId()))
                    .map(c -> c.withModel(target.clientModelId()));
        }, ProtoMapper::toProto, observer);
    }

    @Override
    public void createCompletion(io.herd.api.grpc.v1.CompletionRequest request,
                                 StreamObserver<io.herd.api.grpc.v1.Completion> observer) {
        ReactiveCalls.unary(() -> {
            CompletionRequest completion = ProtoMapper.fromProto(request, false).validate();
            InferenceTargets.Target target = targets.resolve(completion.model());
            return target.provider().completion(completion.withModel(target.providerModelId()))
                    .map(c -> c.withModel(target.clientModelId()));
        }, ProtoMapper::toProto, observer);
    }

    @Override
    public void streamCompletion(io.herd.api.grpc.v1.CompletionRequest request,
                                 StreamObserver<io.herd.api.grpc.v1.Completion> observer) {
        ReactiveCalls.serverStream(() -> {
            CompletionRequest completion = ProtoMapper.fromProto(request, true).validate();
            InferenceTargets.Target target = targets.resolve(completion.model());
            return target.provider().streamCompletion(completion.withModel(target.providerModelId()))
                    .map(c -> c.withModel(target.clientModelId()));
        }, ProtoMapper::toProto, observer);
    }

    @Override
    public void createEmbeddings(io.herd.api.grpc.v1.EmbeddingsRequest request,
                                 StreamObserver<io.herd.api.grpc.v1.EmbeddingsResponse> observer) {
        ReactiveCalls.unary(() -> {
            EmbeddingsRequest embeddings = ProtoMapper.fromProto(request).validate();
            InferenceTargets.Target target = targets.resolve(embeddings.model());
            return target.provider().embeddings(embeddings.withModel(target.providerModelId()))
                    .map(r -> r.withModel(target.clientModelId()));
        }, ProtoMapper::toProto, observer);
    }
}
