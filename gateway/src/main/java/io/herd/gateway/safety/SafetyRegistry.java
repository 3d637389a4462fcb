package io.herd.gateway.safety;

import io.herd.api.providers.ProviderContext;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.SafetyProviderFactory;
import io.herd.api.safety.Shield;
import io.herd.gateway.config.ConfigException;
import io.herd.gateway.config.HerdConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the safety providers of {@code providers.safety} and registers the shields of
 * {@code registered_resources.shields} with them; refuses to start on an unknown provider type, a shield naming a
 * provider that does not exist, a duplicate shield id, or a shield policy naming an unknown shield. A shield whose
 * {@code shield_id} or {@code provider_id} is empty (an unset {@code ${env.X:+id}}) is disabled and skipped.
 */
public final class SafetyRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SafetyRegistry.class);

    /** A registered shield and the provider that runs it. */
    public record ShieldEntry(Shield shield, String providerType, SafetyProvider provider) {
    }

    private final Map<String, SafetyProvider> providers = new LinkedHashMap<>();
    private final Map<String, String> providerTypes = new LinkedHashMap<>();
    private final Map<String, ShieldEntry> shields = new LinkedHashMap<>();
    private final String defaultShieldId;

    public SafetyRegistry(HerdConfig config, Collection<SafetyProviderFactory> beanFactories) {
        Map<String, SafetyProviderFactory> factories = new LinkedHashMap<>();
        beanFactories.forEach(f -> factories.putIfAbsent(f.providerType(), f));
        ServiceLoader.load(SafetyProviderFactory.class).forEach(f -> factories.putIfAbsent(f.providerType(), f));
        try {
            List<HerdConfig.ProviderConfig> configured = config.providersOf(SafetyProviderFactory.API);
            for (int i = 0; i < configured.size(); i++) {
                HerdConfig.ProviderConfig p = configured.get(i);
                String at = "providers.safety[" + i + "]";
                SafetyProviderFactory factory = factories.get(p.providerType());
                if (factory == null) {
                    throw new ConfigException(at + ".provider_type '" + p.providerType() + "' is not available (known: "
                            + String.join(", ", new TreeSet<>(factories.keySet())) + ")");
                }
                if (providers.containsKey(p.providerId())) {
                    throw new ConfigException(at + ".provider_id '" + p.providerId() + "' is used twice");
                }
                try {
                    providers.put(p.providerId(), factory.create(new ProviderContext(SafetyProviderFactory.API, p.providerId(),
                            p.providerType(), p.config(), List.of())));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new ConfigException(at + " (" + p.providerId() + "): " + e.getMessage(), e);
                }
                providerTypes.put(p.providerId(), p.providerType());
            }
            List<HerdConfig.RegisteredShield> registered = config.registeredResources().shields();
            for (int i = 0; i < registered.size(); i++) {
                HerdConfig.RegisteredShield s = registered.get(i);
                String at = "registered_resources.shields[" + i + "]";
                if (s.shieldId() == null || s.shieldId().isBlank() || (s.providerId() != null && s.providerId().isBlank())) {
                    // ${env.X:+id} left unset: the entry is switched off, like a model with an empty model_id
                    log.info("{} is disabled: its shield_id or provider_id is empty", at);
                    continue;
                }
                String providerId = s.providerId() != null ? s.providerId() : providers.size() == 1 ? providers.keySet().iterator().next() : null;
                SafetyProvider provider = providerId == null ? null : providers.get(providerId);
                if (provider == null) {
                    throw new ConfigException(at + ".provider_id '" + s.providerId() + "' names no safety provider (configured: "
                            + String.join(", ", providers.keySet()) + ")");
                }
                if (shields.containsKey(s.shieldId())) {
                    throw new ConfigException(at + ".shield_id '" + s.shieldId() + "' is registered twice");
                }
                Shield shield = new Shield(s.shieldId(), s.providerShieldId(), providerId, s.params());
                try {
                    provider.registerShield(shield);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(at + " (" + s.shieldId() + "): " + e.getMessage(), e);
                }
                shields.put(s.shieldId(), new ShieldEntry(shield, providerTypes.get(providerId), provider));
            }
            HerdConfig.ShieldPolicy policy = config.shieldPolicy();
            requireKnown("shield_policy.input_shields", policy.inputShields());
            requireKnown("shield_policy.output_shields", policy.outputShields());
            config.registeredResources().models().forEach(m -> {
                ShieldPolicyOverride.of(m.metadata()).ifPresent(o -> {
                    requireKnown("registered_resources.models[" + m.modelId() + "].metadata.shield_policy.input_shields", o.inputShields());
                    requireKnown("registered_resources.models[" + m.modelId() + "].metadata.shield_policy.output_shields", o.outputShields());
                });
            });
            defaultShieldId = config.safety().defaultShieldId();
            if (defaultShieldId != null && !defaultShieldId.isBlank()) {
                requireKnown("safety.default_shield_id", List.of(defaultShieldId));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (!shields.isEmpty()) {
            log.info("Shields ready: {}", String.join(", ", shields.keySet()));
        }
    }

    private void requireKnown(String at, List<String> ids) {
        if (ids == null) {
            return;
        }
        for (String id : ids) {
            if (!shields.containsKey(id)) {
                throw new ConfigException(at + " names shield '" + id + "', which is not registered (registered: "
                        + String.join(", ", shields.keySet()) + ")");
            }
        }
    }

    public Optional<ShieldEntry> shield(String shieldId) {
        return Optional.ofNullable(shields.get(shieldId));
    }

    public List<ShieldEntry> shields() {
        return List.copyOf(shields.values());
    }

    /** The shield whose {@code provider_resource_id} is {@code model} (how {@code /v1/moderations} names one). */
    public Optional<ShieldEntry> shieldByResource(String model) {
        return shields.values().stream().filter(e -> e.shield().providerResourceId().equals(model)).findFirst()
                .or(() -> shield(model));
    }

    public Optional<String> defaultShieldId() {
        return Optional.ofNullable(defaultShieldId).filter(s -> !s.isBlank());
    }

    @Override
    public void close() {
        for (SafetyProvider p : new ArrayList<>(providers.values())) {
            try {
                p.close();
            } catch (Exception e) {
                log.warn("Closing safety provider failed: {}", e.toString());
            }
        }
        providers.clear();
    }
}
