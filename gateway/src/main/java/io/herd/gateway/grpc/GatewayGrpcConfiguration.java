package io.herd.gateway.grpc;

import io.herd.api.grpc.ApiKeyServerInterceptor;
import io.herd.api.grpc.InferenceGrpcService;
import io.herd.api.grpc.ModelsGrpcService;
import io.herd.gateway.config.HerdConfig;
import io.herd.gateway.filter.InferenceCalls;
import io.herd.gateway.safety.ShieldFilter;
import org.springframework.beans.factory.ObjectProvider;
import io.herd.gateway.provider.ModelRouter;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.util.List;

/**
 * The gRPC API: same router and providers as REST, on {@code server.grpc_port} (default 50051). The Spring
 * property {@code herd.grpc.port} overrides the port; with a random HTTP port ({@code server.port=0}, as in
 * tests) the gRPC port is random too. {@code herd.grpc.enabled=false} turns it off.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "herd.grpc.enabled", havingValue = "true", matchIfMissing = true)
public class GatewayGrpcConfiguration {

    @Bean
    GrpcServerLifecycle grpcServer(HerdConfig config, ModelRouter router, InferenceCalls calls,
                                   ObjectProvider<ShieldFilter> shields, Environment environment) {
        int port = environment.getProperty("herd.grpc.port", Integer.class,
                "0".equals(environment.getProperty("server.port")) ? 0 : config.server().grpcPort());
        String host = environment.getProperty("server.address", config.server().host());
        return new GrpcServerLifecycle(host, port,
                List.of(new InferenceGrpcService(new GatewayInferenceTargets(calls, shields.getIfAvailable())),
                        new ModelsGrpcService(new GatewayModelCatalog(router))),
                new ApiKeyServerInterceptor(config.server().allApiKeys()));
    }
}
