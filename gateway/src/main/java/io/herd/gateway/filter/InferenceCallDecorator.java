package io.herd.gateway.filter;

import org.springframework.core.Ordered;

/**
 * A cross-cutting step applied to every routed inference call, on REST and gRPC alike: wrap the provider
 * (circuit breaker, output shields), inspect or replace the request (input shields), or reject the call by
 * throwing a {@link io.herd.api.common.HerdException}. On REST each decorator also runs as a Spring Cloud Gateway
 * filter ({@link InferenceCallFilter}); gRPC applies them through {@link InferenceCalls#prepare}. Order with
 * {@link HerdFilterOrder}.
 */
public interface InferenceCallDecorator extends Ordered {

    void decorate(InferenceCall call);
}
