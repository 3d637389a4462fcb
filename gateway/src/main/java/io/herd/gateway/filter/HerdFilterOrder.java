package io.herd.gateway.filter;

/**
 * Order of Herd's gateway filters (Spring Cloud Gateway {@code GlobalFilter}s; lower runs first).
 * All run before Spring Cloud Gateway's own routing filters, which forward to the local handlers.
 */
public final class HerdFilterOrder {
    /** API key check. */
    public static final int AUTHENTICATION = -400;
    /** Per-client rate limit. */
    public static final int RATE_LIMIT = -300;
    /** Body read (size limit), JSON parse, validation, model to provider routing: creates the {@link InferenceCall}. */
    public static final int INFERENCE_REQUEST = -200;
    /** Wraps the routed provider in its circuit breaker. */
    public static final int CIRCUIT_BREAKER = -100;
    /**
     * Input/output shields (helper H5, package io.herd.gateway.safety) run here: after routing (the parsed request is in
     * {@link InferenceCall}) and outside the circuit breaker (a shield refusal is not a provider failure).
     */
    public static final int SHIELDS = -50;

    private HerdFilterOrder() {
    }
}
