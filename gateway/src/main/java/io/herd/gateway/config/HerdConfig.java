package io.herd.gateway.config;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.herd.api.models.RegisteredModel;

import java.util.List;
import java.util.Map;

/**
 * A distribution's {@code config.yaml}, shaped like Llama Stack's {@code StackConfig}. Sections Herd does not
 * implement (storage, vector_stores, ...) are accepted and ignored so upstream files load unchanged.
 * Built by {@link HerdConfigLoader}, which substitutes {@code ${env...}} references and validates.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HerdConfig(
        Integer version,
        @JsonProperty("distro_name") @JsonAlias("image_name") String distroName,
        List<String> apis,
        Map<String, List<ProviderConfig>> providers,
        @JsonProperty("registered_resources") RegisteredResources registeredResources,
        ServerConfig server,
        SafetyConfig safety,
        @JsonProperty("shield_policy") ShieldPolicy shieldPolicy) {

    public HerdConfig {
        version = version == null ? 2 : version;
        distroName = distroName == null ? "herd" : distroName;
        apis = apis == null ? List.of() : List.copyOf(apis);
        providers = providers == null ? Map.of() : Map.copyOf(providers);
        registeredResources = registeredResources == null ? new RegisteredResources(null, null) : registeredResources;
        server = server == null ? ServerConfig.defaults() : server;
        safety = safety == null ? new SafetyConfig(null) : safety;
        shieldPolicy = shieldPolicy == null ? new ShieldPolicy(null, null) : shieldPolicy;
    }

    /** The enabled providers of one API ({@code inference}, {@code safety}, ...), never null. */
    public List<ProviderConfig> providersOf(String api) {
        return providers.getOrDefault(api, List.of());
    }

    /** One entry under {@code providers.<api>}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ProviderConfig(
            @JsonProperty("provider_id") String providerId,
            @JsonProperty("provider_type") String providerType,
            Map<String, Object> config) {

        public ProviderConfig {
            config = config == null ? Map.of() : config;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RegisteredResources(List<RegisteredModel> models, List<RegisteredShield> shields) {
        public RegisteredResources {
            models = models == null ? List.of() : List.copyOf(models);
            shields = shields == null ? List.of() : List.copyOf(shields);
        }
    }

    /** An entry of {@code registered_resources.shields}; the safety API (helper H5) interprets it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RegisteredShield(
            @JsonProperty("shield_id") String shieldId,
            @JsonProperty("provider_id") String providerId,
            @JsonProperty("provider_shield_id") String providerShieldId,
            Map<String, Object> params) {

        public RegisteredShield {
            params = params == null ? Map.of() : params;
        }
    }

    /** {@code safety:} section: the shield {@code /v1/moderations} uses when the request names none. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SafetyConfig(@JsonProperty("default_shield_id") String defaultShieldId) {
    }

    /**
     * Herd's extension: shields applied automatically to every generation (input before, output after). A model
     * overrides the lists with {@code metadata.shield_policy: {input_shields, output_shields}}. Streamed output is
     * released in windows of {@code stream_window_chars} characters ({@code stream_window: sentence} releases at
     * sentence ends instead) once the output shields passed them. A shield that errors or exceeds
     * {@code shield_timeout_ms} blocks the request unless {@code fail_open} is true.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ShieldPolicy(
            @JsonProperty("input_shields") List<String> inputShields,
            @JsonProperty("output_shields") List<String> outputShields,
            @JsonProperty("stream_window") String streamWindow,
            @JsonProperty("stream_window_chars") Integer streamWindowChars,
            @JsonProperty("shield_timeout_ms") Long shieldTimeoutMs,
            @JsonProperty("fail_open") Boolean failOpen) {

        public ShieldPolicy {
            inputShields = inputShields == null ? List.of() : List.copyOf(inputShields);
            outputShields = outputShields == null ? List.of() : List.copyOf(outputShields);
            streamWindow = streamWindow == null || streamWindow.isBlank() ? "chars" : streamWindow;
            streamWindowChars = streamWindowChars == null ? 200 : streamWindowChars;
            shieldTimeoutMs = shieldTimeoutMs == null ? 10_000L : shieldTimeoutMs;
            failOpen = failOpen != null && failOpen;
        }

        public ShieldPolicy(List<String> inputShields, List<String> outputShields) {
            this(inputShields, outputShields, null, null, null, null);
        }
    }

    /** {@code server:} section. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ServerConfig(
            Integer port,
            @JsonProperty("grpc_port") Integer grpcPort,
            String host,
            @JsonProperty("api_keys") List<String> apiKeys,
            AuthConfig auth,
            @JsonProperty("max_request_body_bytes") Long maxRequestBodyBytes,
            @JsonProperty("rate_limit") RateLimitConfig rateLimit,
            @JsonProperty("circuit_breaker") CircuitBreakerConfig circuitBreaker) {

        public static final int DEFAULT_PORT = 8321;
        public static final int DEFAULT_GRPC_PORT = 50051;
        public static final String DEFAULT_HOST = "127.0.0.1";
        public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 4L * 1024 * 1024;

        public ServerConfig {
            port = port == null ? DEFAULT_PORT : port;
            grpcPort = grpcPort == null ? DEFAULT_GRPC_PORT : grpcPort;
            host = host == null || host.isBlank() ? DEFAULT_HOST : host;
            apiKeys = apiKeys == null ? List.of() : apiKeys.stream().filter(k -> k != null && !k.isBlank()).toList();
            auth = auth == null ? new AuthConfig(null) : auth;
            maxRequestBodyBytes = maxRequestBodyBytes == null ? DEFAULT_MAX_REQUEST_BODY_BYTES : maxRequestBodyBytes;
            rateLimit = rateLimit == null ? new RateLimitConfig(null, null) : rateLimit;
            circuitBreaker = circuitBreaker == null ? new CircuitBreakerConfig(null, null, null) : circuitBreaker;
        }

        static ServerConfig defaults() {
            return new ServerConfig(null, null, null, null, null, null, null, null);
        }

        /** Keys from {@code server.api_keys} and {@code server.auth.api_keys}; empty means no authentication. */
        public List<String> allApiKeys() {
            return java.util.stream.Stream.concat(apiKeys.stream(), auth.apiKeys().stream()).distinct().toList();
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record AuthConfig(@JsonProperty("api_keys") List<String> apiKeys) {
        public AuthConfig {
            apiKeys = apiKeys == null ? List.of() : apiKeys.stream().filter(k -> k != null && !k.isBlank()).toList();
        }
    }

    /** Per-client token bucket; {@code requests_per_second} of 0 (the default) turns it off. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RateLimitConfig(
            @JsonProperty("requests_per_second") Double requestsPerSecond,
            Integer burst) {

        public RateLimitConfig {
            requestsPerSecond = requestsPerSecond == null ? 0.0 : requestsPerSecond;
            burst = burst == null ? Math.max(1, (int) Math.ceil(requestsPerSecond)) : burst;
        }

        public boolean enabled() {
            return requestsPerSecond > 0;
        }
    }

    /**
     * Per-provider circuit breaker: opens when {@code failure_rate_threshold} percent of the last
     * {@code sliding_window_size} calls failed with a server-side error, and stays open {@code wait_seconds}.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CircuitBreakerConfig(
            @JsonProperty("failure_rate_threshold") Float failureRateThreshold,
            @JsonProperty("sliding_window_size") Integer slidingWindowSize,
            @JsonProperty("wait_seconds") Integer waitSeconds) {

        public CircuitBreakerConfig {
            failureRateThreshold = failureRateThreshold == null ? 50f : failureRateThreshold;
            slidingWindowSize = slidingWindowSize == null ? 20 : slidingWindowSize;
            waitSeconds = waitSeconds == null ? 30 : waitSeconds;
        }
    }
}
