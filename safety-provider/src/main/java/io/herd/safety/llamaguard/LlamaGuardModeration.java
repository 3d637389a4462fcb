package io.herd.safety.llamaguard;

import io.herd.api.safety.ModerationResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps Llama Guard verdicts to the OpenAI moderation result shape, with Llama Guard's category names as keys
 * ("Violent Crimes": true, …) as Llama Stack does, and offers the reverse view keyed by OpenAI's category names
 * for clients that only know those.
 */
public final class LlamaGuardModeration {

    /** OpenAI moderation category to the Llama Guard categories it covers (after Llama Stack's table). */
    static final Map<String, List<LlamaGuardCategory>> OPENAI_TO_LLAMA_GUARD = openAiTable();

    private LlamaGuardModeration() {
    }

    public static ModerationResult result(List<LlamaGuardCategory> modelCategories, LlamaGuardVerdict verdict, Set<String> excluded,
                                          String userMessage) {
        boolean flagged = verdict.violates(excluded);
        Map<String, Boolean> categories = new LinkedHashMap<>();
        Map<String, List<String>> inputTypes = new LinkedHashMap<>();
        Map<String, Double> scores = new LinkedHashMap<>();
        for (LlamaGuardCategory category : modelCategories) {
            boolean hit = flagged && verdict.codes().contains(category.code());
            categories.put(category.displayName(), hit);
            inputTypes.put(category.displayName(), hit ? List.of("text") : List.of());
            scores.put(category.displayName(), hit ? 1.0 : 0.0);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (flagged) {
            metadata.put("violation_type", verdict.codes());
        }
        return new ModerationResult(flagged, categories, inputTypes, scores, flagged ? userMessage : null, metadata);
    }

    /** The flagged codes seen through OpenAI's categories, e.g. S1 → violence, harassment/threatening, … */
    public static Map<String, Boolean> openAiCategories(List<String> codes) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        OPENAI_TO_LLAMA_GUARD.forEach((openAi, lg) -> out.put(openAi, lg.stream().anyMatch(c -> codes.contains(c.code()))));
        return out;
    }

    private static Map<String, List<LlamaGuardCategory>> openAiTable() {
        Map<String, List<LlamaGuardCategory>> t = new LinkedHashMap<>();
        t.put("violence", List.of(LlamaGuardCategory.S1));
        t.put("violence/graphic", List.of(LlamaGuardCategory.S1));
        t.put("harassment", List.of(LlamaGuardCategory.S4));
        t.put("harassment/threatening", List.of(LlamaGuardCategory.S1, LlamaGuardCategory.S4));
        t.put("hate", List.of(LlamaGuardCategory.S10));
        t.put("hate/threatening", List.of(LlamaGuardCategory.S10, LlamaGuardCategory.S1));
        t.put("illicit", List.of(LlamaGuardCategory.S2));
        t.put("illicit/violent", List.of(LlamaGuardCategory.S1, LlamaGuardCategory.S9));
        t.put("sexual", List.of(LlamaGuardCategory.S3, LlamaGuardCategory.S12));
        t.put("sexual/minors", List.of(LlamaGuardCategory.S4));
        t.put("self-harm", List.of(LlamaGuardCategory.S11));
        t.put("self-harm/intent", List.of(LlamaGuardCategory.S11));
        t.put("self-harm/instructions", List.of(LlamaGuardCategory.S11, LlamaGuardCategory.S6));
        return Map.copyOf(t);
    }
}
