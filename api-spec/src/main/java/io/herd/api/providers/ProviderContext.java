package io.herd.api.providers;

import io.herd.api.models.RegisteredModel;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;

/**
 * What a {@link ProviderFactory} gets to build one provider instance: its id and type from
 * {@code config.yaml}, its {@code config} block (environment variables already substituted) and the
 * models registered for it under {@code registered_resources.models}.
 */
public record ProviderContext(
        String api,
        String providerId,
        String providerType,
        Map<String, Object> config,
        List<RegisteredModel> models) {

    private static final JsonMapper CONFIG_MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public ProviderContext {
        config = config == null ? Map.of() : config;
        models = models == null ? List.of() : List.copyOf(models);
    }

    /**
     * Binds the {@code config} block to a record (snake_case via {@code @JsonProperty}); unknown keys
     * are an error, so a typo in {@code config.yaml} is reported instead of ignored.
     *
     * @throws IllegalArgumentException naming the provider and the offending key
     */
    public <T> T configAs(Class<T> type) {
        try {
            return CONFIG_MAPPER.convertValue(config, type);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("providers." + api + "[" + providerId + "].config: "
                    + e.getOriginalMessage(), e);
        }
    }
}
