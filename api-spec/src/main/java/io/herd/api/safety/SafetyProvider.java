package io.herd.api.safety;

import io.herd.api.common.NotFoundException;
import io.herd.api.inference.ChatMessage;
import io.herd.api.providers.ProviderHealth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The safety SPI: what every safety provider ({@code inline::prompt-guard}, {@code inline::pii},
 * {@code inline::code-scanner}, {@code inline::llama-guard}, …) implements. It knows nothing of HTTP.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #registerShield} is called once for each shield of {@code registered_resources.shields} whose
 *       {@code provider_id} names this provider, before any request; it throws {@link IllegalArgumentException}
 *       naming the field when the shield cannot work (e.g. a Llama Guard shield without a model).</li>
 *   <li>{@link #runShield} signals a finding as a {@link SafetyViolation} in the result, never as an error. Errors
 *       ({@link io.herd.api.common.HerdException}) mean the check itself failed; callers fail closed on them.</li>
 *   <li>Nothing happens before subscription; implementations must be thread-safe.</li>
 * </ul>
 */
public interface SafetyProvider extends AutoCloseable {

    /** Accepts one shield served by this provider. */
    void registerShield(Shield shield);

    /**
     * Checks messages with a registered shield.
     *
     * @param params per-request parameters; Llama Stack clients before 0.3 send {@code {}}, which is accepted and ignored
     * @return a response with {@code violation} null when the messages passed
     */
    Mono<RunShieldResponse> runShield(String shieldId, List<ChatMessage> messages, Map<String, Object> params);

    /**
     * OpenAI-style moderation of each input with one shield. The default runs the shield on each input as a user
     * message and reports the violation's {@code violation_type} (or the shield id) as the flagged category;
     * providers with their own category taxonomy (Llama Guard) override it.
     */
    default Mono<ModerationObject> runModeration(Shield shield, List<String> inputs) {
        return Flux.fromIterable(inputs)
                .concatMap(input -> runShield(shield.identifier(), List.of(ChatMessage.user(input)), Map.of()))
                .map(response -> moderationResult(shield, response))
                .collectList()
                .map(results -> new ModerationObject("modr-" + UUID.randomUUID(), shield.providerResourceId(), results));
    }

    /** Maps a run-shield answer to a moderation result with one category per {@code violation_type} entry. */
    static ModerationResult moderationResult(Shield shield, RunShieldResponse response) {
        SafetyViolation violation = response.violation();
        boolean flagged = response.blocks();
        List<String> types = new ArrayList<>();
        if (violation != null) {
            Object type = violation.metadata().get("violation_type");
            if (type instanceof List<?> list) {
                list.forEach(t -> types.add(String.valueOf(t)));
            } else if (type != null) {
                for (String t : type.toString().split(",")) {
                    types.add(t.trim());
                }
            } else {
                types.add(shield.identifier());
            }
        }
        Map<String, Boolean> categories = new LinkedHashMap<>();
        Map<String, List<String>> inputTypes = new LinkedHashMap<>();
        Map<String, Double> scores = new LinkedHashMap<>();
        for (String type : types) {
            categories.put(type, flagged);
            inputTypes.put(type, flagged ? List.of("text") : List.of());
            scores.put(type, flagged ? 1.0 : 0.0);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (violation != null) {
            metadata.putAll(violation.metadata());
            metadata.put("violation_type", types);
        }
        return new ModerationResult(flagged, categories, inputTypes, scores,
                flagged ? violation.userMessage() : null, metadata);
    }

    default Mono<ProviderHealth> health() {
        return Mono.just(ProviderHealth.ok());
    }

    /** Frees resources; called once when the server stops. */
    @Override
    default void close() {
    }

    /** The error for a shield id this provider was never given. */
    static NotFoundException unknownShield(String shieldId) {
        return new NotFoundException("Shield '" + shieldId + "' not found. List the available shields with GET /v1/shields.",
                "shield_not_found", "shield_id");
    }
}
