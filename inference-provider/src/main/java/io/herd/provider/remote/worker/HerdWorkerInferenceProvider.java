package io.herd.provider.remote.worker;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.herd.api.grpc.GrpcErrors;
import io.herd.api.grpc.ProtoMapper;
import io.herd.api.grpc.v1.InferenceServiceGrpc;
import io.herd.api.grpc.v1.ListModelsRequest;
import io.herd.api.grpc.v1.ModelsServiceGrpc;
import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.EmbeddingsResponse;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.models.ModelInfo;
import io.herd.api.models.RegisteredModel;
import io.herd.api.providers.ProviderHealth;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code remote::herd-worker}: an inference provider that forwards every call to a Herd worker over gRPC
 * (the public {@code herd.v1} protocol). Streams follow the caller's demand; cancelling a subscription
 * cancels the call, which stops the worker's generation; each call has a deadline; worker errors come
 * back as the same Herd exceptions the worker raised.
 */
public final class HerdWorkerInferenceProvider implements InferenceProvider {

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);

    private final String providerId;
    private final HerdWorkerProviderConfig config;
    private final List<RegisteredModel> registered;
    private final ManagedChannel channel;
    private final Channel authenticated;

    public HerdWorkerInferenceProvider(String providerId, HerdWorkerProviderConfig config, List<RegisteredModel> registered) {
        this.providerId = providerId;
        this.config = config;
        this.registered = List.copyOf(registered);
        // round_robin spreads calls over every address a dns:/// target resolves to (a headless Service's pods).
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(config.target()).defaultLoadBalancingPolicy("round_robin");
        if (!config.tls()) {
            builder.usePlaintext();
        }
        this.channel = builder.build();
        if (config.apiKey() != null) {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + config.apiKey());
            this.authenticated = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        } else {
            this.authenticated = channel;
        }
    }

    private String upstream() {
        return "Herd worker '" + providerId + "' (" + config.url() + ")";
    }

    private CallOptions callOptions() {
        return CallOptions.DEFAULT.withDeadlineAfter(config.timeoutSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
        return unary(InferenceServiceGrpc.getCreateChatCompletionMethod(), ProtoMapper.toProto(request), ProtoMapper::fromProto);
    }

    @Override
    public Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request) {
        return stream(InferenceServiceGrpc.getStreamChatCompletionMethod(), ProtoMapper.toProto(request), ProtoMapper::fromProto);
    }

    @Override
    public Mono<Completion> completion(CompletionRequest request) {
        return unary(InferenceServiceGrpc.getCreateCompletionMethod(), ProtoMapper.toProto(request), ProtoMapper::fromProto);
    }

    @Override
    public Flux<Completion> streamCompletion(CompletionRequest request) {
        return stream(InferenceServiceGrpc.getStreamCompletionMethod(), ProtoMapper.toProto(request), ProtoMapper::fromProto);
    }

    @Override
    public Mono<EmbeddingsResponse> embeddings(EmbeddingsRequest request) {
        return unary(InferenceServiceGrpc.getCreateEmbeddingsMethod(), ProtoMapper.toProto(request), ProtoMapper::fromProto);
    }

    /**
     * The models registered for this provider in config.yaml, then those the worker reports under
     * {@code <provider_id>/<worker model id>}. An unreachable worker lists only the registered ones.
     */
    @Override
    public Flux<ModelInfo> listModels() {
        Flux<ModelInfo> configured = Flux.fromIterable(registered).map(m -> new ModelInfo(m.modelId(), m.providerModelId(),
                providerId, m.modelType(), m.metadata(), 0));
        Flux<ModelInfo> reported = unary(ModelsServiceGrpc.getListModelsMethod(), ListModelsRequest.getDefaultInstance(),
                response -> response.getDataList().stream().map(ProtoMapper::fromProto).toList())
                .flatMapMany(Flux::fromIterable)
                .filter(m -> registered.stream().noneMatch(r -> r.providerModelId().equals(m.identifier())))
                .map(m -> new ModelInfo(null, m.identifier(), providerId, m.modelType(), m.metadata(), m.created()));
        return configured.concatWith(reported);
    }

    /** gRPC health check of the worker: OK only when it reports SERVING. */
    @Override
    public Mono<ProviderHealth> health() {
        return Mono.<HealthCheckResponse>create(sink -> ClientCalls.asyncUnaryCall(
                        channel.newCall(HealthGrpc.getCheckMethod(), CallOptions.DEFAULT.withDeadlineAfter(
                                HEALTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)),
                        HealthCheckRequest.getDefaultInstance(), new MonoObserver<>(sink::success, sink::error, sink::onCancel)))
                .map(r -> r.getStatus() == HealthCheckResponse.ServingStatus.SERVING
                        ? ProviderHealth.ok()
                        : ProviderHealth.error(upstream() + " reports " + r.getStatus()))
                .onErrorResume(e -> Mono.just(ProviderHealth.error(GrpcErrors.fromStatus(e, upstream()).getMessage())));
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private <Q, P, T> Mono<T> unary(MethodDescriptor<Q, P> method, Q request, Function<P, T> fromProto) {
        return Mono.<P>create(sink -> ClientCalls.asyncUnaryCall(authenticated.newCall(method, callOptions()), request,
                        new MonoObserver<>(sink::success, sink::error, sink::onCancel)))
                .map(fromProto)
                .onErrorMap(e -> GrpcErrors.fromStatus(e, upstream()));
    }

    private <Q, P, T> Flux<T> stream(MethodDescriptor<Q, P> method, Q request, Function<P, T> fromProto) {
        return Flux.<P>create(sink -> {
                    FluxObserver<Q, P> observer = new FluxObserver<>(sink);
                    ClientCalls.asyncServerStreamingCall(authenticated.newCall(method, callOptions()), request, observer);
                    observer.started();
                }, FluxSink.OverflowStrategy.BUFFER)
                .map(fromProto)
                .onErrorMap(e -> GrpcErrors.fromStatus(e, upstream()));
    }

    /** One-message response into a Mono; disposing the Mono cancels the call. */
    private static final class MonoObserver<Q, P> implements ClientResponseObserver<Q, P> {
        private final java.util.function.Consumer<P> onValue;
        private final java.util.function.Consumer<Throwable> onError;
        private final java.util.function.Consumer<reactor.core.Disposable> onCancel;
        private P value;

        MonoObserver(java.util.function.Consumer<P> onValue, java.util.function.Consumer<Throwable> onError,
                     java.util.function.Consumer<reactor.core.Disposable> onCancel) {
            this.onValue = onValue;
            this.onError = onError;
            this.onCancel = onCancel;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<Q> call) {
            onCancel.accept(() -> call.cancel("the caller cancelled", null));
        }

        @Override
        public void onNext(P message) {
            value = message;
        }

        @Override
        public void onError(Throwable t) {
            onError.accept(t);
        }

        @Override
        public void onCompleted() {
            onValue.accept(value);
        }
    }

    /** Server stream into a Flux: messages are requested from the worker only as the subscriber asks for them. */
    private static final class FluxObserver<Q, P> implements ClientResponseObserver<Q, P> {
        private final FluxSink<P> sink;
        private ClientCallStreamObserver<Q> call;

        FluxObserver(FluxSink<P> sink) {
            this.sink = sink;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<Q> call) {
            this.call = call;
            call.disableAutoRequestWithInitial(0);
        }

        /**
         * Demand may only be passed on once the call has started. The cancel hook goes first: the first
         * request can bring answers (and a cancelling subscriber) before the next line runs.
         */
        void started() {
            sink.onCancel(() -> call.cancel("the caller cancelled", null));
            sink.onRequest(n -> call.request((int) Math.min(n, Integer.MAX_VALUE)));
        }

        @Override
        public void onNext(P message) {
            sink.next(message);
        }

        @Override
        public void onError(Throwable t) {
            sink.error(t);
        }

        @Override
        public void onCompleted() {
            sink.complete();
        }
    }
}
