package io.herd.gateway.provider;

import io.herd.api.inference.InferenceProvider;
import io.herd.api.inference.InferenceProviderFactory;
import io.herd.api.models.RegisteredModel;
import io.herd.api.providers.ProviderContext;
import io.herd.gateway.config.ConfigException;
import io.herd.gateway.config.HerdConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Builds and owns the inference provider instances of {@code config.yaml}: each
 * {@code providers.inference[i]} entry is handed to the factory of its {@code provider_type}.
 * Factories come from Spring beans first, then {@link ServiceLoader}, so a new provider type
 * plugs in by adding a bean or a {@code META-INF/services} line and nothing else.
 */
public final class ProviderRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProviderRegistry.class);

    /** A running provider and the configuration it came from. */
    public record InferenceProviderEntry(HerdConfig.ProviderConfig config, InferenceProvider provider) {
        public String providerId() {
            return config.providerId();
        }

        public String providerType() {
            return config.providerType();
        }
    }

    private final Map<String, InferenceProviderEntry> inference = new LinkedHashMap<>();

    public ProviderRegistry(HerdConfig config, Collection<InferenceProviderFactory> beanFactories) {
        Map<String, InferenceProviderFactory> factories = factoriesByType(beanFactories);
        List<HerdConfig.ProviderConfig> providers = config.providersOf(InferenceProviderFactory.API);
        try {
            for (int i = 0; i < providers.size(); i++) {
                HerdConfig.ProviderConfig p = providers.get(i);
                InferenceProviderFactory factory = factories.get(p.providerType());
                String at = "providers.inference[" + i + "]";
                if (factory == null) {
                    throw new ConfigException(at + ".provider_type '" + p.providerType() + "' is not available (known: "
                            + String.join(", ", new TreeSet<>(factories.keySet())) + ")");
                }
                List<RegisteredModel> models = config.registeredResources().models().stream()
                        .filter(m -> m.providerId().equals(p.providerId())).toList();
                InferenceProvider provider;
                try {
                    provider = factory.create(new ProviderContext(InferenceProviderFactory.API, p.providerId(),
                            p.providerType(), p.config(), models));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new ConfigException(at + " (" + p.providerId() + "): " + e.getMessage(), e);
                }
                inference.put(p.providerId(), new InferenceProviderEntry(p, provider));
                log.info("Inference provider {} ({}) ready with {} registered model(s)", p.providerId(), p.providerType(), models.size());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Map<String, InferenceProviderFactory> factoriesByType(Collection<InferenceProviderFactory> beans) {
        Map<String, InferenceProviderFactory> byType = new LinkedHashMap<>();
        for (InferenceProviderFactory f : beans) {
            byType.putIfAbsent(f.providerType(), f);
        }
        for (InferenceProviderFactory f : ServiceLoader.load(InferenceProviderFactory.class)) {
            byType.putIfAbsent(f.providerType(), f);
        }
        return byType;
    }

    public Optional<InferenceProviderEntry> inferenceProvider(String providerId) {
        return Optional.ofNullable(inference.get(providerId));
    }

    public List<InferenceProviderEntry> inferenceProviders() {
        return List.copyOf(inference.values());
    }

    @Override
    public void close() {
        for (InferenceProviderEntry e : new ArrayList<>(inference.values())) {
            try {
                e.provider().close();
            } catch (Exception ex) {
                log.warn("Closing provider {} failed: {}", e.providerId(), ex.toString());
            }
        }
        inference.clear();
    }
}
