package io.herd.engine.model;

import io.herd.engine.tensor.ArrayMath;
import io.herd.engine.tensor.MatmulInput;
import io.herd.engine.tensor.Parallel;
import io.herd.engine.tokenizer.Tokenizer;

import java.util.Optional;

/**
 * The Llama forward pass (Llama 1/2/3 and TinyLlama-style models): RMSNorm, rotary embeddings on
 * consecutive pairs (the layout of llama2.c checkpoints and of GGUF files, whose converter permutes
 * Q/K accordingly), grouped-query attention, SwiGLU feed-forward. Reads like llama2.c's {@code run.c}.
 */
public final class Llama implements LanguageModel {

    private final String name;
    private final Configuration config;
    private final Weights weights;
    private final Tokenizer tokenizer;
    private final String chatTemplate;
    private final Parallel pool;
    private final AutoCloseable resources;
    /** Per rotated pair i: the angle per position, scaling and frequency factors applied. */
    private final double[] ropeFrequencies;

    public Llama(String name, Configuration config, Weights weights, Tokenizer tokenizer, String chatTemplate,
                 Parallel pool, AutoCloseable resources) {
        this.name = name;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.pool = pool;
        this.resources = resources;
        int pairs = config.headSize() / 2;
        float[] factors = weights.ropeFrequencyFactors();
        if (factors != null && factors.length != pairs) {
            throw new IllegalArgumentException("rope frequency factors: " + factors.length + " values, expected " + pairs);
        }
        ropeFrequencies = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            double frequency = Math.pow(config.ropeTheta(), -2.0 * i / config.headSize());
            if (factors != null) {
                frequency /= factors[i];
            }
            ropeFrequencies[i] = frequency * config.ropePositionScale();
        }
    }

    public Configuration configuration() {
        return config;
    }

    public Weights weights() {
        return weights;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int vocabularySize() {
        return config.vocabularySize();
    }

    @Override
    public int maxContextLength() {
        return config.contextLength();
    }

    @Override
    public Tokenizer tokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException("model " + name + " was loaded without a tokenizer");
        }
        return tokenizer;
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    @Override
    public State newState(int contextLength) {
        return new State(config, contextLength);
    }

    @Override
    public float[] forward(ModelState modelState, int token, int position) {
        State s = checked(modelState, token, position);
        Configuration c = config;
        int dim = c.dim();
        int kvDim = c.kvDim();
        int headSize = c.headSize();
        MatmulInput input = s.input;

        weights.tokenEmbedding().dequantize((long) token * dim, s.x, 0, dim);
        ropeAngles(s, position);

        for (int l = 0; l < c.layers(); l++) {
            Weights.Layer layer = weights.layers().get(l);
            float[] keys = s.keyCache[l];
            float[] values = s.valueCache[l];

            ArrayMath.rmsNorm(s.xb, s.x, layer.attentionNorm(), dim, c.rmsEpsilon());
            input.set(s.xb, 0, dim);
            layer.query().matmul(input, s.q, 0, c.queryDim(), dim, pool);
            layer.key().matmul(input, keys, position * kvDim, kvDim, dim, pool);
            layer.value().matmul(input, values, position * kvDim, kvDim, dim, pool);

            rotate(s.q, 0, c.heads(), headSize, s);
            rotate(keys, position * kvDim, c.kvHeads(), headSize, s);

            attention(s, keys, values, position);

            input.set(s.xb2, 0, c.queryDim());
            layer.attentionOutput().matmul(input, s.xb, 0, dim, c.queryDim(), pool);
            for (int i = 0; i < dim; i++) {
                s.x[i] += s.xb[i];
            }

            ArrayMath.rmsNorm(s.xb, s.x, layer.ffnNorm(), dim, c.rmsEpsilon());
            input.set(s.xb, 0, dim);
            layer.ffnGate().matmul(input, s.hb, 0, c.hiddenDim(), dim, pool);
            layer.ffnUp().matmul(input, s.hb2, 0, c.hiddenDim(), dim, pool);
            for (int i = 0; i < c.hiddenDim(); i++) {
                float gate = s.hb[i];
                s.hb[i] = gate / (1f + (float) Math.exp(-gate)) * s.hb2[i];
            }
            input.set(s.hb, 0, c.hiddenDim());
            layer.ffnDown().matmul(input, s.xb, 0, dim, c.hiddenDim(), pool);
            for (int i = 0; i < dim; i++) {
                s.x[i] += s.xb[i];
            }
        }

        ArrayMath.rmsNorm(s.x, s.x, weights.outputNorm(), dim, c.rmsEpsilon());
        input.set(s.x, 0, dim);
        weights.output().matmul(input, s.logits, 0, c.vocabularySize(), dim, pool);
        return s.logits;
    }

    private State checked(ModelState modelState, int token, int position) {
        if (!(modelState instanceof State s)) {
            throw new IllegalArgumentException("state was not created by this model");
        }
        if (s.logits.length != config.vocabularySize() || s.x.length != config.dim()) {
            throw new IllegalArgumentException("state was created for a different model");
        }
        if (token < 0 || token >= config.vocabularySize()) {
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + config.vocabularySize() + ")");
        }
        if (position < 0 || position >= s.contextLength) {
            throw new IllegalArgumentException("position " + position + " outside the context of " + s.contextLength + " tokens");
        }
        return s;
    }

    private void ropeAngles(State s, int position) {
        for (int i = 0; i < ropeFrequencies.length; i++) {
            double angle = position * ropeFrequencies[i];
            s.ropeCos[i] = (float) Math.cos(angle);
            s.ropeSin[i] = (float) Math.sin(angle);
        }
    }

    /** Rotates each consecutive pair (2i, 2i+1) of every head by the position's angle i. */
    private static void rotate(float[] vector, int offset, int heads, int headSize, State s) {
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headSize;
            for (int i = 0; i < headSize / 2; i++) {
                float cos = s.ropeCos[i];
                float sin = s.ropeSin[i];
                float v0 = vector[base + 2 * i];
                float v1 = vector[base + 2 * i + 1];
                vector[base + 2 * i] = v0 * cos - v1 * sin;
                vector[base + 2 * i + 1] = v0 * sin + v1 * cos;
            }
        }
    }

    private void attention(State s, float[] keys, float[] values, int position) {
        Configuration c = config;
        int headSize = c.headSize();
        int kvDim = c.kvDim();
        int queriesPerKv = c.heads() / c.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(headSize));
        pool.forRange(c.heads(), (first, end) -> {
            for (int h = first; h < end; h++) {
                int queryOffset = h * headSize;
                int kvOffset = (h / queriesPerKv) * headSize;
                int scores = h * s.contextLength;
                for (int t = 0; t <= position; t++) {
                    s.attention[scores + t] = ArrayMath.dot(s.q, queryOffset, keys, t * kvDim + kvOffset, headSize) * scale;
                }
                ArrayMath.softmax(s.attention, scores, position + 1);
                java.util.Arrays.fill(s.xb2, queryOffset, queryOffset + headSize, 0f);
                for (int t = 0; t <= position; t++) {
                    ArrayMath.addScaled(s.xb2, queryOffset, s.attention[scores + t], values, t * kvDim + kvOffset, headSize);
                }
            }
        });
    }

    @Override
    public void close() {
        pool.close();
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + name + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "Llama " + name + " " + config;
    }
}
