package io.herd.engine.generate;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SamplerTest {

    private static final int DRAWS = 20_000;

    /** Logits whose softmax is exactly {@code probabilities}. */
    private static float[] logitsOf(double... probabilities) {
        float[] logits = new float[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            logits[i] = (float) Math.log(probabilities[i]);
        }
        return logits;
    }

    private static double[] frequencies(SamplingParameters parameters, float[] logits) {
        Sampler sampler = new Sampler(parameters, logits.length, new int[0]);
        double[] counts = new double[logits.length];
        for (int i = 0; i < DRAWS; i++) {
            counts[sampler.sample(logits)]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= DRAWS;
        }
        return counts;
    }

    @Test
    void temperatureZeroIsArgmax() {
        Sampler sampler = new Sampler(SamplingParameters.greedy(10), 4, new int[0]);
        assertThat(sampler.sample(new float[]{0.1f, 3f, 2.9f, -1f})).isEqualTo(1);
    }

    @Test
    void untruncatedSamplingFollowsTheSoftmax() {
        double[] expected = {0.5, 0.3, 0.15, 0.05};
        double[] seen = frequencies(SamplingParameters.builder().seed(1L).build(), logitsOf(expected));
        for (int i = 0; i < expected.length; i++) {
            assertThat(seen[i]).as("token %d", i).isCloseTo(expected[i], within(0.015));
        }
    }

    @Test
    void temperatureSharpensTheDistribution() {
        // At temperature 0.5 the probabilities become p^2 / sum(p^2).
        double[] p = {0.6, 0.4};
        double[] seen = frequencies(SamplingParameters.builder().temperature(0.5).seed(2L).build(), logitsOf(p));
        assertThat(seen[0]).isCloseTo(0.36 / 0.52, within(0.015));
    }

    @Test
    void sameSeedGivesSameTokensAndDifferentSeedsDiffer() {
        float[] logits = logitsOf(0.2, 0.2, 0.2, 0.2, 0.2);
        int[] first = draw(SamplingParameters.builder().seed(42L).build(), logits);
        int[] second = draw(SamplingParameters.builder().seed(42L).build(), logits);
        int[] other = draw(SamplingParameters.builder().seed(43L).build(), logits);
        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    private static int[] draw(SamplingParameters parameters, float[] logits) {
        Sampler sampler = new Sampler(parameters, logits.length, new int[0]);
        int[] tokens = new int[50];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = sampler.sample(logits);
        }
        return tokens;
    }

    @Test
    void topKNeverPicksOutsideTheKMostLikely() {
        float[] logits = new float[100];
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian();
        }
        int[] top = RankedTokens.sortedDescending(logits, logits.length);
        Set<Integer> allowed = Set.of(top[0], top[1], top[2]);
        Sampler sampler = new Sampler(SamplingParameters.builder().topK(3).seed(3L).build(), logits.length, new int[0]);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            seen.add(sampler.sample(logits));
        }
        assertThat(seen).isEqualTo(allowed);
    }

    @Test
    void topKRenormalisesOverTheKept() {
        double[] seen = frequencies(SamplingParameters.builder().topK(2).seed(4L).build(), logitsOf(0.5, 0.3, 0.15, 0.05));
        assertThat(seen[0]).isCloseTo(0.5 / 0.8, within(0.015));
        assertThat(seen[2] + seen[3]).isZero();
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        double[] seen = frequencies(SamplingParameters.builder().topP(0.75).seed(5L).build(), logits);
        assertThat(seen[2] + seen[3]).isZero();
        assertThat(seen[0]).isCloseTo(0.5 / 0.8, within(0.015));

        double[] wider = frequencies(SamplingParameters.builder().topP(0.85).seed(5L).build(), logits);
        assertThat(wider[3]).isZero();
        assertThat(wider[2]).isCloseTo(0.15 / 0.95, within(0.015));
    }

    @Test
    void topPOverALargeVocabularyMatchesABruteForceNucleus() {
        float[] logits = new float[5000];
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (3 * random.nextGaussian());
        }
        Set<Integer> nucleus = bruteForceNucleus(logits, 0.5);
        Sampler sampler = new Sampler(SamplingParameters.builder().topP(0.5).seed(12L).build(), logits.length, new int[0]);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 1_500; i++) {
            seen.add(sampler.sample(logits));
        }
        assertThat(nucleus).containsAll(seen);
        assertThat(seen.size()).isGreaterThan(nucleus.size() / 3);
    }

    @Test
    void topPReachesIntoALongFlatTail() {
        // One token with e^10 against 4999 of weight 1: p = 0.9 needs ceil(0.9 * (e^10 + 4999) - e^10) = 2297
        // tail tokens, the lowest ids first among equals.
        float[] logits = new float[5000];
        logits[0] = 10f;
        Set<Integer> nucleus = bruteForceNucleus(logits, 0.9);
        assertThat(nucleus).hasSize(2298).contains(0, 2297).doesNotContain(2298);
        Sampler sampler = new Sampler(SamplingParameters.builder().topP(0.9).seed(13L).build(), logits.length, new int[0]);
        int highest = 0;
        for (int i = 0; i < 500; i++) {
            highest = Math.max(highest, sampler.sample(logits));
        }
        assertThat(highest).isLessThanOrEqualTo(2297).isGreaterThan(500);
    }

    /** The smallest most-likely-first prefix (ties by id) whose probability reaches p, by sorting everything. */
    private static Set<Integer> bruteForceNucleus(float[] logits, double p) {
        Integer[] order = new Integer[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            order[i] = i;
            total += Math.exp(logits[i]);
        }
        java.util.Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        Set<Integer> kept = new HashSet<>();
        double cumulative = 0;
        for (Integer id : order) {
            kept.add(id);
            cumulative += Math.exp(logits[id]);
            if (cumulative >= p * total) {
                break;
            }
        }
        return kept;
    }

    @Test
    void minPDropsTokensBelowTheFractionOfTheMostLikely() {
        // threshold 0.2 * 0.5 = 0.1: 0.15 stays, 0.05 goes
        double[] seen = frequencies(SamplingParameters.builder().minP(0.2).seed(6L).build(), logitsOf(0.5, 0.3, 0.15, 0.05));
        assertThat(seen[3]).isZero();
        assertThat(seen[2]).isCloseTo(0.15 / 0.95, within(0.015));
        // threshold 0.7 * 0.5 = 0.35: only the first stays
        double[] strict = frequencies(SamplingParameters.builder().minP(0.7).seed(6L).build(), logitsOf(0.5, 0.3, 0.15, 0.05));
        assertThat(strict[0]).isEqualTo(1.0);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOnce() {
        SamplingParameters parameters = SamplingParameters.builder().repetitionPenalty(2).repetitionWindow(-1).build();
        Sampler sampler = new Sampler(parameters, 4, new int[]{0, 1, 0});
        float[] scores = {2f, -2f, 1f, 3f};
        sampler.applyRepetitionPenalty(scores);
        assertThat(scores).containsExactly(1f, -4f, 1f, 3f);
    }

    @Test
    void repetitionPenaltyOnlyLooksAtItsWindow() {
        SamplingParameters parameters = SamplingParameters.builder().repetitionPenalty(2).repetitionWindow(2).build();
        Sampler sampler = new Sampler(parameters, 4, new int[]{3, 0});
        sampler.accept(1);
        float[] scores = {2f, 2f, 2f, 2f};
        sampler.applyRepetitionPenalty(scores);
        assertThat(scores).containsExactly(1f, 1f, 2f, 2f);
    }

    @Test
    void frequencyAndPresencePenaltiesFollowOpenAiAndIgnoreThePrompt() {
        SamplingParameters parameters = SamplingParameters.builder().frequencyPenalty(0.5).presencePenalty(0.25).build();
        Sampler sampler = new Sampler(parameters, 4, new int[]{3, 3, 3});
        sampler.accept(2);
        sampler.accept(2);
        sampler.accept(1);
        float[] scores = {1f, 1f, 1f, 1f};
        sampler.applyFrequencyAndPresencePenalties(scores);
        assertThat(scores).containsExactly(1f, 1f - 0.75f, 1f - 1.25f, 1f);
    }

    @Test
    void penaltiesApplyBeforeGreedyChoice() {
        SamplingParameters parameters = SamplingParameters.builder().temperature(0).presencePenalty(2).build();
        Sampler sampler = new Sampler(parameters, 3, new int[0]);
        float[] logits = {1f, 2f, 0.5f};
        assertThat(sampler.sample(logits)).isEqualTo(1);
        sampler.accept(1);
        assertThat(sampler.sample(logits)).isEqualTo(0);
        assertThat(logits[1]).as("caller's logits untouched").isEqualTo(2f);
    }

    @Test
    void logitBiasShiftsLogitsBeforeChoosing() {
        SamplingParameters parameters = SamplingParameters.builder().temperature(0)
                .logitBias(java.util.Map.of(0, 1.5, 1, -100.0)).build();
        Sampler sampler = new Sampler(parameters, 3, new int[0]);
        assertThat(sampler.sample(new float[]{1f, 2f, 2.4f})).isEqualTo(0);
        // -100 bans a token in practice even when sampling
        Sampler sampling = new Sampler(parameters.toBuilder().temperature(1).seed(5L).build(), 3, new int[0]);
        for (int i = 0; i < 2000; i++) {
            assertThat(sampling.sample(new float[]{0f, 5f, 0f})).isNotEqualTo(1);
        }
    }

    @Test
    void rejectsTokensOutsideTheVocabulary() {
        Sampler sampler = new Sampler(SamplingParameters.greedy(1), 3, new int[0]);
        assertThatThrownBy(() -> sampler.accept(3)).hasMessageContaining("outside the vocabulary of 3");
    }
}
