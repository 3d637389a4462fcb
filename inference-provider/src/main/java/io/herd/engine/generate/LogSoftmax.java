package io.herd.engine.generate;

import io.herd.engine.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Log probabilities from raw logits: {@code logit - logsumexp(logits)}. */
final class LogSoftmax {

    private final Tokenizer tokenizer;
    private final int vocabularySize;
    private final int topCount;

    LogSoftmax(Tokenizer tokenizer, int vocabularySize, int topCount) {
        this.tokenizer = tokenizer;
        this.vocabularySize = vocabularySize;
        this.topCount = topCount;
    }

    TokenLogprob of(float[] logits, int chosen) {
        double logSumExp = logSumExp(logits, vocabularySize);
        List<TokenLogprob.Alternative> alternatives = new ArrayList<>(topCount);
        if (topCount > 0) {
            for (int token : RankedTokens.topK(logits, vocabularySize, topCount)) {
                alternatives.add(new TokenLogprob.Alternative(token, text(token), logits[token] - logSumExp));
            }
        }
        return new TokenLogprob(chosen, text(chosen), logits[chosen] - logSumExp, alternatives);
    }

    static double logSumExp(float[] logits, int count) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            max = Math.max(max, logits[i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += Math.exp(logits[i] - max);
        }
        return max + Math.log(sum);
    }

    private String text(int token) {
        return new String(tokenizer.tokenBytes(token), StandardCharsets.UTF_8);
    }
}
