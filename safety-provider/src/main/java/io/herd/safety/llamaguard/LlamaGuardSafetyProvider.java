package io.herd.safety.llamaguard;

import io.herd.api.common.ProviderException;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.safety.ModerationObject;
import io.herd.api.safety.ModerationResult;
import io.herd.api.safety.RunShieldResponse;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.SafetyViolation;
import io.herd.api.safety.Shield;
import io.herd.safety.ConfigMaps;
import io.herd.safety.ShieldSupport;
import io.herd.safety.metrics.ShieldMetrics;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code inline::llama-guard}: asks a Llama Guard model (the shield's {@code provider_resource_id}) to classify the
 * conversation, at temperature 0, through the injected {@link GuardModelClient}. An answer that is neither
 * {@code safe} nor {@code unsafe} with valid codes is a provider error, never a silent pass.
 */
public final class LlamaGuardSafetyProvider implements SafetyProvider {

    public static final String PROVIDER_TYPE = "inline::llama-guard";
    public static final String CANNED_RESPONSE = "I can't answer that. Can I help with something else?";
    static final int MAX_VERDICT_TOKENS = 32;

    private final Set<String> excluded;
    private final GuardModelClient client;
    private final ShieldSupport support;

    public LlamaGuardSafetyProvider(String providerId, Set<String> excludedCategories, GuardModelClient client, ShieldMetrics metrics) {
        this.excluded = Set.copyOf(excludedCategories);
        this.client = client;
        this.support = new ShieldSupport(providerId, metrics);
    }

    public static LlamaGuardSafetyProvider fromConfig(String providerId, Map<String, ?> config, GuardModelClient client,
                                                      ShieldMetrics metrics) {
        ConfigMaps.requireKnownKeys(PROVIDER_TYPE, config, Set.of("excluded_categories"));
        Set<String> excluded = new LinkedHashSet<>();
        for (String code : ConfigMaps.strings(PROVIDER_TYPE, config, "excluded_categories", List.of())) {
            LlamaGuardCategory category = LlamaGuardCategory.fromCode(code).orElseThrow(() -> new IllegalArgumentException(
                    PROVIDER_TYPE + " config: excluded_categories: '" + code + "' is not a category code; expected S1 to S14"));
            excluded.add(category.code());
        }
        return new LlamaGuardSafetyProvider(providerId, excluded, client, metrics);
    }

    @Override
    public void registerShield(Shield shield) {
        // provider_resource_id is the guard model; Shield defaults it to the shield id, so a shield named after its
        // model needs no provider_shield_id, and an unknown model surfaces as the router's 404 on first use
        support.register(shield);
    }

    @Override
    public Mono<RunShieldResponse> runShield(String shieldId, List<ChatMessage> messages, Map<String, Object> params) {
        return Mono.defer(() -> {
            Shield shield = support.shield(shieldId);
            if (messages == null || messages.isEmpty()) {
                return Mono.error(new io.herd.api.common.InvalidRequestException("'messages' must not be empty", "messages"));
            }
            List<LlamaGuardCategory> categories = LlamaGuardCategory.forModel(shield.providerResourceId());
            String prompt = LlamaGuardPrompt.build(messages, categories, excluded);
            long start = System.nanoTime();
            return client.complete(request(shield, prompt))
                    .map(answer -> toResponse(parse(answer)))
                    .doOnNext(r -> support.record(shieldId, start, r,
                            x -> List.of(String.valueOf(x.violation().metadata().get("violation_type")).split(","))))
                    .doOnError(e -> support.metrics().recordError(shieldId, e));
        });
    }

    @Override
    public Mono<ModerationObject> runModeration(Shield shield, List<String> inputs) {
        List<LlamaGuardCategory> categories = LlamaGuardCategory.forModel(shield.providerResourceId());
        return Flux.fromIterable(inputs)
                .concatMap(input -> client.complete(request(shield,
                                LlamaGuardPrompt.build(List.of(ChatMessage.user(input)), categories, excluded)))
                        .map(answer -> moderation(categories, answer)))
                .collectList()
                .map(results -> new ModerationObject("modr-" + UUID.randomUUID(), shield.providerResourceId(), results));
    }

    private ModerationResult moderation(List<LlamaGuardCategory> categories, String answer) {
        // the moderation path reads any answer starting with "safe" as safe, like Llama Stack's
        String trimmed = answer == null ? "" : answer.strip();
        LlamaGuardVerdict verdict = trimmed.toLowerCase(Locale.ROOT).startsWith("safe") ? LlamaGuardVerdict.SAFE : parse(trimmed);
        return LlamaGuardModeration.result(categories, verdict, excluded, CANNED_RESPONSE);
    }

    private static ChatCompletionRequest request(Shield shield, String prompt) {
        return ChatCompletionRequest.builder()
                .model(shield.providerResourceId())
                .messages(ChatMessage.user(prompt))
                .temperature(0.0)
                .maxTokens(MAX_VERDICT_TOKENS)
                .stream(false)
                .build();
    }

    private static LlamaGuardVerdict parse(String answer) {
        try {
            return LlamaGuardVerdict.parse(answer);
        } catch (LlamaGuardVerdict.UnexpectedVerdictException e) {
            throw new ProviderException(e.getMessage(), 200, e);
        }
    }

    private RunShieldResponse toResponse(LlamaGuardVerdict verdict) {
        if (!verdict.violates(excluded)) {
            return RunShieldResponse.PASSED;
        }
        return RunShieldResponse.of(SafetyViolation.error(CANNED_RESPONSE, Map.of("violation_type", String.join(",", verdict.codes()))));
    }
}
