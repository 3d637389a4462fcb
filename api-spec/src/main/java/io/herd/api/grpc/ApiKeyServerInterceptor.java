package io.herd.api.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.herd.api.common.AuthenticationException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * gRPC twin of the REST API-key check: metadata {@code authorization: Bearer <key>} must carry one of the
 * configured keys. Off when no key is configured; health checks and reflection stay public like
 * {@code /v1/health}. Keys are compared in constant time.
 */
public final class ApiKeyServerInterceptor implements ServerInterceptor {

    public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";
    private static final java.util.Set<String> PUBLIC_SERVICES = java.util.Set.of(
            "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

    private final List<byte[]> keys;

    public ApiKeyServerInterceptor(List<String> apiKeys) {
        this.keys = apiKeys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (keys.isEmpty() || PUBLIC_SERVICES.contains(service)) {
            return next.startCall(call, headers);
        }
        String header = headers.get(AUTHORIZATION);
        String problem = null;
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            problem = "Missing API key: send it as metadata 'authorization: Bearer <key>'.";
        } else {
            byte[] presented = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
            boolean match = false;
            for (byte[] key : keys) {
                match |= MessageDigest.isEqual(key, presented);
            }
            if (!match) {
                problem = "Incorrect API key provided.";
            }
        }
        if (problem != null) {
            var status = GrpcErrors.toStatusException(new AuthenticationException(problem));
            call.close(status.getStatus(), status.getTrailers());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
