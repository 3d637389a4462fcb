package io.herd.engine.generate;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How tokens are chosen and when generation stops. Ranges follow the OpenAI API where it defines the
 * parameter (temperature, top_p, penalties, logprobs) and llama.cpp where OpenAI has none
 * (top_k, min_p, repeat_penalty, repeat_last_n).
 *
 * @param temperature       0 means greedy (argmax); otherwise logits are divided by it; 0..100
 * @param topK              keep only the k most likely tokens; 0 disables
 * @param topP              nucleus sampling: keep the smallest set whose probability reaches topP; 1 disables
 * @param minP              drop tokens whose probability is below minP times the most likely one; 0 disables
 * @param repetitionPenalty llama.cpp/CTRL penalty over the last {@code repetitionWindow} tokens (prompt
 *                          included): positive logits are divided by it, negative ones multiplied; 1 disables
 * @param repetitionWindow  how many previous tokens the repetition penalty looks at; -1 means all
 * @param frequencyPenalty  OpenAI: subtracted from a logit once per time the token already occurs in the
 *                          completion; -2..2
 * @param presencePenalty   OpenAI: subtracted once from the logit of every token that occurs in the
 *                          completion; -2..2
 * @param seed              seed of the random generator, {@code null} for a random one
 * @param maxTokens         most tokens to generate
 * @param stop              strings that end generation; they are not part of the output
 * @param stopTokenIds      token ids that end generation, in addition to the model's own
 * @param logprobs          whether to report the log probability of each generated token
 * @param topLogprobs       how many most likely alternatives to report per token (0..20, needs logprobs)
 * @param logitBias         OpenAI {@code logit_bias}: added to a token's logit before anything else; -100..100
 */
public record SamplingParameters(
        double temperature,
        int topK,
        double topP,
        double minP,
        double repetitionPenalty,
        int repetitionWindow,
        double frequencyPenalty,
        double presencePenalty,
        Long seed,
        int maxTokens,
        List<String> stop,
        Set<Integer> stopTokenIds,
        boolean logprobs,
        int topLogprobs,
        Map<Integer, Double> logitBias) {

    public static final int MAX_TOP_LOGPROBS = 20;

    public SamplingParameters {
        requireInRange("temperature", temperature, 0, 100);
        if (topK < 0) {
            throw invalid("topK", "must be 0 (disabled) or positive, was " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw invalid("topP", "must be in (0, 1], was " + topP);
        }
        requireInRange("minP", minP, 0, 1);
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw invalid("repetitionPenalty", "must be a positive number (1 disables), was " + repetitionPenalty);
        }
        if (repetitionWindow < -1) {
            throw invalid("repetitionWindow", "must be -1 (all tokens), 0 (disabled) or positive, was " + repetitionWindow);
        }
        requireInRange("frequencyPenalty", frequencyPenalty, -2, 2);
        requireInRange("presencePenalty", presencePenalty, -2, 2);
        if (maxTokens < 1) {
            throw invalid("maxTokens", "must be at least 1, was " + maxTokens);
        }
        stop = List.copyOf(Objects.requireNonNullElse(stop, List.of()));
        for (int i = 0; i < stop.size(); i++) {
            if (stop.get(i).isEmpty()) {
                throw invalid("stop", "entry " + i + " is empty; stop strings must not be empty");
            }
        }
        stopTokenIds = Set.copyOf(Objects.requireNonNullElse(stopTokenIds, Set.of()));
        for (int id : stopTokenIds) {
            if (id < 0) {
                throw invalid("stopTokenIds", "token ids must not be negative, was " + id);
            }
        }
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw invalid("topLogprobs", "must be between 0 and " + MAX_TOP_LOGPROBS + ", was " + topLogprobs);
        }
        if (topLogprobs > 0 && !logprobs) {
            throw invalid("topLogprobs", "needs logprobs to be enabled");
        }
        logitBias = Map.copyOf(Objects.requireNonNullElse(logitBias, Map.of()));
        for (Map.Entry<Integer, Double> bias : logitBias.entrySet()) {
            if (bias.getKey() < 0) {
                throw invalid("logitBias", "token ids must not be negative, was " + bias.getKey());
            }
            if (!(bias.getValue() >= -100 && bias.getValue() <= 100)) {
                throw invalid("logitBias", "values must be between -100 and 100, token " + bias.getKey() + " has " + bias.getValue());
            }
        }
    }

    /** Greedy decoding with no penalties, stopping after {@code maxTokens}. */
    public static SamplingParameters greedy(int maxTokens) {
        return builder().temperature(0).maxTokens(maxTokens).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.temperature = temperature;
        b.topK = topK;
        b.topP = topP;
        b.minP = minP;
        b.repetitionPenalty = repetitionPenalty;
        b.repetitionWindow = repetitionWindow;
        b.frequencyPenalty = frequencyPenalty;
        b.presencePenalty = presencePenalty;
        b.seed = seed;
        b.maxTokens = maxTokens;
        b.stop = new ArrayList<>(stop);
        b.stopTokenIds = new LinkedHashSet<>(stopTokenIds);
        b.logprobs = logprobs;
        b.topLogprobs = topLogprobs;
        b.logitBias = new LinkedHashMap<>(logitBias);
        return b;
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    private static void requireInRange(String field, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw invalid(field, "must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static InvalidSamplingParameterException invalid(String field, String problem) {
        return new InvalidSamplingParameterException(field, problem);
    }

    /** Defaults: temperature 1, no truncation, no penalties, 256 tokens (llama.cpp's repeat window of 64). */
    public static final class Builder {
        private double temperature = 1.0;
        private int topK = 0;
        private double topP = 1.0;
        private double minP = 0.0;
        private double repetitionPenalty = 1.0;
        private int repetitionWindow = 64;
        private double frequencyPenalty = 0.0;
        private double presencePenalty = 0.0;
        private Long seed;
        private int maxTokens = 256;
        private List<String> stop = new ArrayList<>();
        private Set<Integer> stopTokenIds = new LinkedHashSet<>();
        private boolean logprobs;
        private int topLogprobs;
        private Map<Integer, Double> logitBias = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        public Builder minP(double minP) {
            this.minP = minP;
            return this;
        }

        public Builder repetitionPenalty(double repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder repetitionWindow(int repetitionWindow) {
            this.repetitionWindow = repetitionWindow;
            return this;
        }

        public Builder frequencyPenalty(double frequencyPenalty) {
            this.frequencyPenalty = frequencyPenalty;
            return this;
        }

        public Builder presencePenalty(double presencePenalty) {
            this.presencePenalty = presencePenalty;
            return this;
        }

        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder stop(List<String> stop) {
            this.stop = new ArrayList<>(stop);
            return this;
        }

        public Builder addStop(String stopString) {
            this.stop.add(stopString);
            return this;
        }

        public Builder stopTokenIds(Set<Integer> stopTokenIds) {
            this.stopTokenIds = new LinkedHashSet<>(stopTokenIds);
            return this;
        }

        public Builder logprobs(boolean logprobs) {
            this.logprobs = logprobs;
            return this;
        }

        public Builder topLogprobs(int topLogprobs) {
            this.topLogprobs = topLogprobs;
            return this;
        }

        public Builder logitBias(Map<Integer, Double> logitBias) {
            this.logitBias = new LinkedHashMap<>(logitBias);
            return this;
        }

        public SamplingParameters build() {
            return new SamplingParameters(temperature, topK, topP, minP, repetitionPenalty, repetitionWindow,
                    frequencyPenalty, presencePenalty, seed, maxTokens, stop, stopTokenIds, logprobs, topLogprobs, logitBias);
        }
    }
}
