package io.herd.engine.generate;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Picks the next token from logits. Order of operations (as in Hugging Face and vLLM): logit bias,
 * penalties, then temperature, then top-k, top-p and min-p on the tempered distribution, then a draw.
 * Temperature 0 is greedy: the argmax after penalties. Penalties follow their definitions:
 * <ul>
 *   <li>repetition (llama.cpp {@code repeat_penalty}): each distinct token among the last
 *       {@code repetitionWindow} tokens of prompt and completion has a positive logit divided by the
 *       penalty and a negative one multiplied by it;</li>
 *   <li>frequency and presence (OpenAI): {@code logit -= count * frequencyPenalty + (count > 0) * presencePenalty}
 *       where count is how often the token occurs in the completion so far.</li>
 * </ul>
 * The same seed and the same logits give the same tokens. Not thread-safe: one per generation.
 */
public final class Sampler {

    private static final String RANDOM_ALGORITHM = "L64X128MixRandom";
    /** Weights relative to the most likely token (which has 1) tried as cut-offs before sorting everything. */
    private static final double[] NUCLEUS_THRESHOLDS = {1e-3, 1e-6, 1e-12};

    private final SamplingParameters parameters;
    private final int vocabularySize;
    private final RandomGenerator random;
    private final float[] work;
    private int[] history;
    private int historyLength;
    private final int[] completionCounts;
    private int[] completionDistinct;
    private int completionDistinctCount;
    private final int[] windowMark;
    private float[] allWeights;
    private int windowStamp;

    public Sampler(SamplingParameters parameters, int vocabularySize, int[] promptTokens) {
        if (vocabularySize <= 0) {
            throw new IllegalArgumentException("vocabularySize must be positive, was " + vocabularySize);
        }
        this.parameters = parameters;
        this.vocabularySize = vocabularySize;
        RandomGeneratorFactory<RandomGenerator> factory = RandomGeneratorFactory.of(RANDOM_ALGORITHM);
        this.random = parameters.seed() == null ? factory.create() : factory.create(parameters.seed());
        this.work = new float[vocabularySize];
        this.history = Arrays.copyOf(promptTokens, Math.max(16, promptTokens.length * 2));
        this.historyLength = promptTokens.length;
        this.completionCounts = new int[vocabularySize];
        this.completionDistinct = new int[16];
        this.windowMark = new int[vocabularySize];
    }

    /** Records a token that was generated, for the penalties of the following draws. */
    public void accept(int token) {
        checkToken(token);
        if (historyLength == history.length) {
            history = Arrays.copyOf(history, history.length * 2);
        }
        history[historyLength++] = token;
        if (completionCounts[token]++ == 0) {
            if (completionDistinctCount == completionDistinct.length) {
                completionDistinct = Arrays.copyOf(completionDistinct, completionDistinct.length * 2);
            }
            completionDistinct[completionDistinctCount++] = token;
        }
    }

    /** Chooses a token from {@code logits} (left untouched); call {@link #accept} with it afterwards. */
    public int sample(float[] logits) {
        if (logits.length < vocabularySize) {
            throw new IllegalArgumentException("expected " + vocabularySize + " logits, got " + logits.length);
        }
        for (int i = 0; i < vocabularySize; i++) {
            float logit = logits[i];
            work[i] = Float.isNaN(logit) ? Float.NEGATIVE_INFINITY : logit;
        }
        applyLogitBias(work);
        applyRepetitionPenalty(work);
        applyFrequencyAndPresencePenalties(work);
        if (parameters.isGreedy()) {
            return argmax(work);
        }
        float inverseTemperature = (float) (1.0 / parameters.temperature());
        for (int i = 0; i < vocabularySize; i++) {
            work[i] *= inverseTemperature;
        }
        return sampleTruncated(work);
    }

    private void applyLogitBias(float[] scores) {
        for (var bias : parameters.logitBias().entrySet()) {
            int token = bias.getKey();
            if (token < vocabularySize) {
                scores[token] += bias.getValue().floatValue();
            }
        }
    }

    void applyRepetitionPenalty(float[] scores) {
        double penalty = parameters.repetitionPenalty();
        int window = parameters.repetitionWindow();
        if (penalty == 1.0 || window == 0 || historyLength == 0) {
            return;
        }
        int start = window < 0 ? 0 : Math.max(0, historyLength - window);
        int stamp = ++windowStamp;
        for (int i = start; i < historyLength; i++) {
            int token = history[i];
            if (token < 0 || token >= vocabularySize || windowMark[token] == stamp) {
                continue;
            }
            windowMark[token] = stamp;
            float score = scores[token];
            scores[token] = (float) (score > 0 ? score / penalty : score * penalty);
        }
    }

    void applyFrequencyAndPresencePenalties(float[] scores) {
        double frequency = parameters.frequencyPenalty();
        double presence = parameters.presencePenalty();
        if (frequency == 0 && presence == 0) {
            return;
        }
        for (int i = 0; i < completionDistinctCount; i++) {
            int token = completionDistinct[i];
            scores[token] -= (float) (completionCounts[token] * frequency + presence);
        }
    }

    private int sampleTruncated(float[] scores) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabularySize; i++) {
            max = Math.max(max, scores[i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            // Every token was ruled out (e.g. all logits -inf): nothing to prefer, take the first.
            return 0;
        }
        int topK = parameters.topK();
        boolean topP = parameters.topP() < 1.0;
        int[] candidates; // null: every token, in id order (no truncation needs an ordering)
        float[] weights;  // exp(score - max) of the candidates, in candidate order
        double mass;      // sum of the weights of the distribution top-p cuts
        if (topK > 0 && topK < vocabularySize) {
            candidates = RankedTokens.topK(scores, vocabularySize, topK);
            weights = new float[candidates.length];
            mass = 0;
            for (int i = 0; i < candidates.length; i++) {
                weights[i] = (float) Math.exp(scores[candidates[i]] - max);
                mass += weights[i];
            }
        } else {
            float[] all = allWeights();
            // Scalar Math.exp on purpose: a Vector API loop runs at interpreter speed until C2 compiles it, which
            // for a once-per-token call made the first tokens of a run take up to a second each to sample.
            mass = 0;
            for (int i = 0; i < vocabularySize; i++) {
                all[i] = (float) Math.exp(scores[i] - max);
                mass += all[i];
            }
            if (topP) {
                candidates = nucleusSuperset(scores, all, mass);
                weights = new float[candidates.length];
                for (int i = 0; i < candidates.length; i++) {
                    weights[i] = all[candidates[i]];
                }
            } else {
                candidates = null;
                weights = all;
            }
        }
        int count = candidates == null ? vocabularySize : candidates.length;
        double total = mass;
        if (topP) {
            double target = parameters.topP() * mass;
            double cumulative = 0;
            int keep = count;
            for (int i = 0; i < count; i++) {
                cumulative += weights[i];
                if (cumulative >= target) {
                    keep = i + 1;
                    break;
                }
            }
            count = keep;
            total = cumulative;
        }
        if (parameters.minP() > 0) {
            // Relative to the most likely token, whose weight is exp(0) = 1; renormalising does not change ratios.
            float threshold = (float) parameters.minP();
            total = 0;
            for (int i = 0; i < count; i++) {
                if (weights[i] < threshold) {
                    weights[i] = 0;
                }
                total += weights[i];
            }
        }
        double target = random.nextDouble() * total;
        double cumulative = 0;
        int lastPositive = -1;
        for (int i = 0; i < count; i++) {
            if (weights[i] == 0) {
                continue;
            }
            lastPositive = i;
            cumulative += weights[i];
            if (target < cumulative) {
                return id(candidates, i);
            }
        }
        // Rounding left the target at the very end of the range.
        return id(candidates, lastPositive);
    }

    /**
     * The tokens that top-p may keep, most likely first, without sorting the whole vocabulary: the
     * tokens at or above a weight threshold form a prefix of the sorted order, so when their mass
     * already reaches top-p's target, the nucleus lies among them.
     */
    private int[] nucleusSuperset(float[] scores, float[] weights, double mass) {
        double target = parameters.topP() * mass;
        for (double threshold : NUCLEUS_THRESHOLDS) {
            double above = 0;
            int count = 0;
            for (int i = 0; i < vocabularySize; i++) {
                if (weights[i] >= threshold) {
                    above += weights[i];
                    count++;
                }
            }
            if (above >= target) {
                int[] ids = new int[count];
                int next = 0;
                for (int i = 0; i < vocabularySize; i++) {
                    if (weights[i] >= threshold) {
                        ids[next++] = i;
                    }
                }
                return RankedTokens.sortedDescending(scores, ids);
            }
        }
        return RankedTokens.sortedDescending(scores, vocabularySize);
    }

    private float[] allWeights() {
        if (allWeights == null) {
            allWeights = new float[vocabularySize];
        }
        return allWeights;
    }

    private static int id(int[] candidates, int index) {
        return candidates == null ? index : candidates[index];
    }

    private int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < vocabularySize; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    private void checkToken(int token) {
        if (token < 0 || token >= vocabularySize) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + vocabularySize);
        }
    }
}
