package io.herd.gateway.config;

import io.herd.api.models.RegisteredModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads {@code config.yaml}: YAML to a tree, {@code ${env...}} substitution, binding to {@link HerdConfig},
 * then checks that fail with the offending field named. Providers whose {@code provider_id} resolves
 * empty are dropped (disabled), and so are models registered for them.
 */
public final class HerdConfigLoader {

    /** The configuration used when none is given: one {@code inline::herd} provider, models from env. */
    public static final String DEFAULT_RESOURCE = "herd/default-config.yaml";

    private static final Logger log = LoggerFactory.getLogger(HerdConfigLoader.class);
    private static final JsonMapper BINDER = JsonMapper.builder().build();

    private final Function<String, String> environment;

    public HerdConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    public HerdConfig load(Path file) {
        try {
            return load(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    public HerdConfig loadDefault() {
        try (InputStream in = HerdConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new ConfigException("Built-in configuration " + DEFAULT_RESOURCE + " is missing from the classpath");
            }
            return load(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in " + DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new ConfigException("Cannot read built-in configuration: " + e.getMessage(), e);
        }
    }

    public HerdConfig load(String yaml, String source) {
        Object tree;
        try {
            tree = new Load(LoadSettings.builder().setLabel(source).build()).loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw new ConfigException(source + ": not valid YAML: " + e.getMessage(), e);
        }
        if (!(tree instanceof Map<?, ?>)) {
            throw new ConfigException(source + ": the top level must be a mapping (version, distro_name, apis, providers, ...)");
        }
        Object substituted;
        try {
            substituted = new EnvSubstitution(environment).apply(tree, "");
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
        HerdConfig raw;
        try {
            raw = BINDER.convertValue(substituted, HerdConfig.class);
        } catch (DatabindException e) {
            throw new ConfigException(source + ": " + fieldPath(e) + ": " + e.getOriginalMessage(), e);
        } catch (JacksonException e) {
            throw new ConfigException(source + ": " + e.getOriginalMessage(), e);
        }
        return validate(raw, source);
    }

    private HerdConfig validate(HerdConfig config, String source) {
        Map<String, List<HerdConfig.ProviderConfig>> enabled = new LinkedHashMap<>();
        Set<String> providerIds = new HashSet<>();
        config.providers().forEach((api, list) -> {
            List<HerdConfig.ProviderConfig> kept = new ArrayList<>();
            for (int i = 0; i < (list == null ? 0 : list.size()); i++) {
                HerdConfig.ProviderConfig p = list.get(i);
                String at = "providers." + api + "[" + i + "]";
                if (p == null) {
                    throw new ConfigException(source + ": " + at + " is empty");
                }
                if (p.providerId() == null || p.providerId().isBlank()) {
                    log.info("{}: {} ({}) is disabled: its provider_id is empty", source, at, p.providerType());
                    continue;
                }
                if (p.providerType() == null || p.providerType().isBlank()) {
                    throw new ConfigException(source + ": " + at + ".provider_type is required (e.g. inline::herd, remote::openai)");
                }
                if (!providerIds.add(p.providerId())) {
                    throw new ConfigException(source + ": " + at + ".provider_id '" + p.providerId() + "' is used twice");
                }
                kept.add(p);
            }
            enabled.put(api, List.copyOf(kept));
        });

        List<RegisteredModel> models = new ArrayList<>();
        Set<String> modelIds = new HashSet<>();
        List<RegisteredModel> declared = config.registeredResources().models();
        for (int i = 0; i < declared.size(); i++) {
            RegisteredModel m = declared.get(i);
            String at = "registered_resources.models[" + i + "]";
            if (m == null || m.providerId() == null || m.providerId().isBlank()
                    || m.modelId() == null || m.modelId().isBlank()) {
                log.info("{}: {} is disabled: its model_id or provider_id is empty", source, at);
                continue;
            }
            if (!providerIds.contains(m.providerId())) {
                throw new ConfigException(source + ": " + at + ".provider_id '" + m.providerId()
                        + "' names no enabled provider (known: " + String.join(", ", providerIds) + ")");
            }
            if (!modelIds.add(m.modelId())) {
                throw new ConfigException(source + ": " + at + ".model_id '" + m.modelId() + "' is registered twice");
            }
            models.add(m);
        }

        HerdConfig.ServerConfig server = config.server();
        checkPort(server.port(), "server.port", source);
        checkPort(server.grpcPort(), "server.grpc_port", source);
        if (server.maxRequestBodyBytes() < 1) {
            throw new ConfigException(source + ": server.max_request_body_bytes must be positive, got " + server.maxRequestBodyBytes());
        }
        if (server.rateLimit().requestsPerSecond() < 0 || server.rateLimit().burst() < 1) {
            throw new ConfigException(source + ": server.rate_limit needs requests_per_second >= 0 and burst >= 1");
        }
        HerdConfig.CircuitBreakerConfig cb = server.circuitBreaker();
        if (cb.failureRateThreshold() <= 0 || cb.failureRateThreshold() > 100 || cb.slidingWindowSize() < 1 || cb.waitSeconds() < 1) {
            throw new ConfigException(source + ": server.circuit_breaker needs failure_rate_threshold in (0, 100], "
                    + "sliding_window_size >= 1 and wait_seconds >= 1");
        }
        return new HerdConfig(config.version(), config.distroName(), config.apis(), enabled,
                new HerdConfig.RegisteredResources(models, config.registeredResources().shields()),
                server, config.safety(), config.shieldPolicy());
    }

    private static void checkPort(int port, String field, String source) {
        if (port < 0 || port > 65535) {
            throw new ConfigException(source + ": " + field + " must be between 0 and 65535, got " + port);
        }
    }

    static String fieldPath(DatabindException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "(top level)" : sb.toString();
    }

    /** For messages: the provider ids of a config, comma-joined. */
    static String ids(List<HerdConfig.ProviderConfig> providers) {
        return providers.stream().map(HerdConfig.ProviderConfig::providerId).collect(Collectors.joining(", "));
    }
}
