package io.herd.worker;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.herd.api.grpc.ApiKeyServerInterceptor;
import io.herd.api.grpc.InferenceGrpcService;
import io.herd.api.grpc.ModelsGrpcService;
import io.herd.api.grpc.v1.InferenceServiceGrpc;
import io.herd.api.grpc.v1.ModelsServiceGrpc;
import io.herd.api.inference.InferenceProvider;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker's gRPC server: one inference provider (normally {@code inline::herd}) behind the public
 * {@code herd.v1} InferenceService and ModelsService, plus standard health and reflection.
 */
public final class WorkerServer implements AutoCloseable {

    private final InferenceProvider provider;
    private final HealthStatusManager health = new HealthStatusManager();
    private final Server server;

    /** @param apiKeys keys callers must present ({@code authorization: Bearer}); empty for none */
    public WorkerServer(InferenceProvider provider, String host, int port, List<String> apiKeys) {
        this.provider = provider;
        SingleProviderTargets targets = new SingleProviderTargets(provider);
        ApiKeyServerInterceptor auth = new ApiKeyServerInterceptor(apiKeys);
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .addService(ServerInterceptors.intercept(new InferenceGrpcService(targets), auth))
                .addService(ServerInterceptors.intercept(new ModelsGrpcService(targets), auth))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build();
    }

    public WorkerServer start() throws IOException {
        server.start();
        health.setStatus(InferenceServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        health.setStatus(ModelsServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        return this;
    }

    public int port() {
        return server.getPort();
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Reports NOT_SERVING, lets running calls finish for a few seconds, then stops and frees the model. */
    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            provider.close();
        }
    }
}
