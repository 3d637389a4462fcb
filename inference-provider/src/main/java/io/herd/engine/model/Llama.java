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
    private final boolean halfPrecisionAttention;
    /** Per rotated pair i: the angle per position, scaling and frequency factors applied. */
    private final double[] ropeFrequencies;

    public Llama(String name, Configuration config, Weights weights, Tokenizer tokenizer, String chatTemplate,
                 Parallel pool, AutoCloseable resources) {
        this(name, config, weights, tokenizer, chatTemplate, pool, resources, KvCachePrecision.F16);
    }

    public Llama(String name, Configuration config, Weights weights, Tokenizer tokenizer, String chatTemplate,
                 Parallel pool, AutoCloseable resources, KvCachePrecision kvCachePrecision) {
        this.halfPrecisionAttention = kvCachePrecision == KvCachePrecision.F16;
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

    public KvCachePrecision kvCachePrecision() {
        return halfPrecisionAttention ? KvCachePrecision.F16 : KvCachePrecision.F32;
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
        s.singleToken[0] = token;
        run(s, s.singleToken, 0, 1, position);
        return s.logits;
    }

    /**
     * Feeds the prompt in batches of up to {@link #PREFILL_BATCH} tokens: each weight matrix is read once per
     * batch instead of once per token. Logits are bit-identical to feeding the tokens one by one.
     */
    @Override
    public float[] prefill(ModelState modelState, int[] tokens, int startPosition) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to prefill");
        }
        State s = checked(modelState, tokens[0], startPosition);
        for (int token : tokens) {
            checked(s, token, startPosition);
        }
        checked(s, tokens[0], startPosition + tokens.length - 1);
        s.ensureBatchCapacity(Math.min(PREFILL_BATCH, tokens.length));
        for (int done = 0; done < tokens.length; done += PREFILL_BATCH) {
            run(s, tokens, done, Math.min(PREFILL_BATCH, tokens.length - done), startPosition + done);
        }
        return s.logits;
    }

    /** Prompt tokens processed together by {@link #prefill}. */
    public static final int PREFILL_BATCH = 16;

    /** Runs {@code tokens[from, from+n)} at positions {@code position...}; leaves the last token's logits. */
    private void run(State s, int[] tokens, int from, int n, int position) {
        Configuration c = config;
        int dim = c.dim();
        int kvDim = c.kvDim();
        int headSize = c.headSize();
        MatmulInput[] inputs = s.inputs;
        int[] zero = s.zeroOffsets;
        int[] kvOffsets = s.offsets;
        for (int b = 0; b < n; b++) {
            weights.tokenEmbedding().dequantize((long) tokens[from + b] * dim, s.x[b], 0, dim);
            kvOffsets[b] = (position + b) * kvDim;
        }

        for (int l = 0; l < c.layers(); l++) {
            Weights.Layer layer = weights.layers().get(l);
            float[] keys = s.keyCache[l];
            float[] values = s.valueCache[l];
            java.util.Arrays.fill(s.keyOutputs, keys);
            java.util.Arrays.fill(s.valueOutputs, values);

            for (int b = 0; b < n; b++) {
                ArrayMath.rmsNorm(s.xb[b], s.x[b], layer.attentionNorm(), dim, c.rmsEpsilon());
                inputs[b].set(s.xb[b], 0, dim);
            }
            layer.query().matmul(inputs, n, s.q, zero, c.queryDim(), dim, pool);
            layer.key().matmul(inputs, n, s.keyOutputs, kvOffsets, kvDim, dim, pool);
            layer.value().matmul(inputs, n, s.valueOutputs, kvOffsets, kvDim, dim, pool);

            for (int b = 0; b < n; b++) {
                int at = (position + b) * kvDim;
                ropeAngles(s, position + b);
                rotate(s.q[b], 0, c.heads(), headSize, s);
                rotate(keys, at, c.kvHeads(), headSize, s);
                if (halfPrecisionAttention) {
                    roundToHalf(keys, at, kvDim);
                    roundToHalf(values, at, kvDim);
                    roundToHalf(s.q[b], 0, c.queryDim());
                }
            }
            for (int b = 0; b < n; b++) {
                attention(s, s.q[b], s.xb2[b], keys, values, position + b);
                inputs[b].set(s.xb2[b], 0, c.queryDim());
            }

            layer.attentionOutput().matmul(inputs, n, s.xb, zero, dim, c.queryDim(), pool);
            for (int b = 0; b < n; b++) {
                float[] x = s.x[b];
                float[] xb = s.xb[b];
                for (int i = 0; i < dim; i++) {
                    x[i] += xb[i];
                }
                ArrayMath.rmsNorm(xb, x, layer.ffnNorm(), dim, c.rmsEpsilon());
                inputs[b].set(xb, 0, dim);
            }
            layer.ffnGate().matmul(inputs, n, s.hb, zero, c.hiddenDim(), dim, pool);
            layer.ffnUp().matmul(inputs, n, s.hb2, zero, c.hiddenDim(), dim, pool);
            for (int b = 0; b < n; b++) {
                float[] hb = s.hb[b];
                float[] hb2 = s.hb2[b];
                for (int i = 0; i < c.hiddenDim(); i++) {
                    float gate = hb[i];
                    hb[i] = gate / (1f + (float) Math.exp(-gate)) * hb2[i];
                }
                inputs[b].set(hb, 0, c.hiddenDim());
            }
            layer.ffnDown().matmul(inputs, n, s.xb, zero, dim, c.hiddenDim(), pool);
            for (int b = 0; b < n; b++) {
                float[] x = s.x[b];
                float[] xb = s.xb[b];
                for (int i = 0; i < dim; i++) {
                    x[i] += xb[i];
                }
            }
        }

        float[] last = s.x[n - 1];
        ArrayMath.rmsNorm(last, last, weights.outputNorm(), dim, c.rmsEpsilon());
        MatmulInput input = inputs[0].set(last, 0, dim);
        weights.output().matmul(input, s.logits, 0, c.vocabularySize(), dim, pool);
    }

    private State checked(ModelState modelState, int token, int position) {
        if (!(modelState instanceof State s)) {
            throw new IllegalArgumentException("state was not created by this model");
        }
        if (s.config != config) {
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

    private static void roundToHalf(float[] a, int offset, int n) {
        for (int i = offset; i < offset + n; i++) {
            a[i] = Float.float16ToFloat(Float.floatToFloat16(a[i]));
        }
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

    private void attention(State s, float[] query, float[] out, float[] keys, float[] values, int position) {
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
                    s.attention[scores + t] = ArrayMath.dot(query, queryOffset, keys, t * kvDim + kvOffset, headSize) * scale;
                }
                ArrayMath.softmax(s.attention, scores, position + 1);
                if (halfPrecisionAttention) {
                    roundToHalf(s.attention, scores, position + 1);
                }
                java.util.Arrays.fill(out, queryOffset, queryOffset + headSize, 0f);
                for (int t = 0; t <= position; t++) {
                    ArrayMath.addScaled(out, queryOffset, s.attention[scores + t], values, t * kvDim + kvOffset, headSize);
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
