package io.herd.gateway.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.herd.api.grpc.ApiKeyServerInterceptor;
import io.herd.gateway.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's gRPC server (herd.v1 services, standard health and reflection) on its own port, started
 * and stopped with the application context. In-flight calls get a grace period on shutdown.
 */
public final class GrpcServerLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GrpcServerLifecycle.class);
    private static final long GRACE_SECONDS = 5;

    private final String host;
    private final int requestedPort;
    private final List<BindableService> services;
    private final ApiKeyServerInterceptor authentication;
    private final HealthStatusManager health = new HealthStatusManager();
    private volatile Server server;

    public GrpcServerLifecycle(String host, int port, List<BindableService> services, ApiKeyServerInterceptor authentication) {
        this.host = host;
        this.requestedPort = port;
        this.services = List.copyOf(services);
        this.authentication = authentication;
    }

    @Override
    public void start() {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, requestedPort));
        for (BindableService service : services) {
            builder.addService(ServerInterceptors.intercept(service, authentication));
        }
        builder.addService(health.getHealthService());
        builder.addService(ProtoReflectionServiceV1.newInstance());
        Server built = builder.build();
        try {
            built.start();
        } catch (IOException e) {
            throw new ConfigException("cannot start the gRPC server on " + host + ":" + requestedPort
                    + " (server.grpc_port): " + e.getMessage(), e);
        }
        server = built;
        for (BindableService service : services) {
            health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
        }
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        log.info("gRPC API listening on {}:{}", host, built.getPort());
    }

    @Override
    public void stop() {
        Server running = server;
        if (running == null) {
            return;
        }
        health.enterTerminalState();
        running.shutdown();
        try {
            if (!running.awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS)) {
                running.shutdownNow();
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
        server = null;
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** The bound port (differs from the configured one when that was 0). */
    public int port() {
        Server running = server;
        if (running == null) {
            throw new IllegalStateException("the gRPC server is not running");
        }
        return running.getPort();
    }
}
