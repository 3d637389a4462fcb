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
public final class Llama implements BatchedLanguageModel {

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

    @Override
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
            if (halfPrecisionAttention) {
                roundToHalf(keys, position * kvDim, kvDim);
                roundToHalf(values, position * kvDim, kvDim);
                roundToHalf(s.q, 0, c.queryDim());
            }

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
                if (halfPrecisionAttention) {
                    roundToHalf(s.attention, scores, position + 1);
                }
                java.util.Arrays.fill(s.xb2, queryOffset, queryOffset + headSize, 0f);
                for (int t = 0; t <= position; t++) {
                    ArrayMath.addScaled(s.xb2, queryOffset, s.attention[scores + t], values, t * kvDim + kvOffset, headSize);
                }
            }
        });
    }

    /** Rows per batched pass when prefilling one sequence through {@link #prefill}. */
    private static final int PREFILL_CHUNK = 256;

    /** Feeds the prompt through the batched path in chunks; logits equal those of {@link #forward} token by token. */
    @Override
    public float[] prefill(ModelState modelState, int[] tokens, int startPosition) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("prefill needs at least one token");
        }
        State s = checked(modelState, tokens[0], startPosition);
        checked(s, tokens[tokens.length - 1], startPosition + tokens.length - 1);
        int chunk = Math.min(PREFILL_CHUNK, tokens.length);
        BatchState batchState = s.batchState(config, chunk);
        ForwardBatch batch = new ForwardBatch(chunk);
        for (int first = 0; first < tokens.length; first += chunk) {
            int end = Math.min(tokens.length, first + chunk);
            batch.clear();
            for (int i = first; i < end; i++) {
                checkToken(tokens[i]);
                batch.add(tokens[i], startPosition + i, s.blockTable, i == tokens.length - 1);
            }
            forwardBatch(batchState, batch, s.blocks);
        }
        float[] last = batchState.logits(0);
        System.arraycopy(last, 0, s.logits, 0, last.length);
        return s.logits;
    }

    @Override
    public BatchState newBatchState(int rows) {
        return new BatchState(config, rows);
    }

    @Override
    public KvBlocks newKvBlocks(int blockCount, int blockSize) {
        return new KvBlocks(config, blockCount, blockSize);
    }

    /**
     * The forward pass over a batch of rows. Matmuls run once per layer for all rows (each weight row is
     * read once per pass); attention runs per row against its own sequence's keys and values. Every step
     * mirrors {@link #forward} with the same arithmetic, so each row's logits equal the single-row ones.
     */
    @Override
    public void forwardBatch(BatchState s, ForwardBatch batch, KvBlocks kv) {
        Configuration c = config;
        int n = batch.size();
        if (n == 0) {
            return;
        }
        s.ensureCapacity(n);
        int dim = c.dim();
        int kvDim = c.kvDim();
        int headSize = c.headSize();
        MatmulInput[] inputs = s.inputs;
        for (int i = 0; i < n; i++) {
            int token = batch.token(i);
            checkToken(token);
            int position = batch.position(i);
            int[] table = batch.blockTable(i);
            if (position < 0 || position / kv.blockSize() >= table.length) {
                throw new IllegalArgumentException("row " + i + ": position " + position + " outside its "
                        + table.length + " KV blocks of " + kv.blockSize());
            }
            weights.tokenEmbedding().dequantize((long) token * dim, s.x[i], 0, dim);
            for (int p = 0; p < ropeFrequencies.length; p++) {
                double angle = position * ropeFrequencies[p];
                s.ropeCos[i][p] = (float) Math.cos(angle);
                s.ropeSin[i][p] = (float) Math.sin(angle);
            }
        }

        for (int l = 0; l < c.layers(); l++) {
            Weights.Layer layer = weights.layers().get(l);
            float[] keys = kv.keys[l];
            float[] values = kv.values[l];

            for (int i = 0; i < n; i++) {
                ArrayMath.rmsNorm(s.xb[i], s.x[i], layer.attentionNorm(), dim, c.rmsEpsilon());
                inputs[i].set(s.xb[i], 0, dim);
            }
            layer.query().matmulBatch(inputs, n, s.q, 0, c.queryDim(), dim, pool);
            layer.key().matmulBatch(inputs, n, s.k, 0, kvDim, dim, pool);
            layer.value().matmulBatch(inputs, n, s.v, 0, kvDim, dim, pool);

            for (int i = 0; i < n; i++) {
                rotate(s.q[i], 0, c.heads(), headSize, s.ropeCos[i], s.ropeSin[i]);
                rotate(s.k[i], 0, c.kvHeads(), headSize, s.ropeCos[i], s.ropeSin[i]);
                if (halfPrecisionAttention) {
                    roundToHalf(s.k[i], 0, kvDim);
                    roundToHalf(s.v[i], 0, kvDim);
                    roundToHalf(s.q[i], 0, c.queryDim());
                }
                int at = kv.offset(batch.blockTable(i), batch.position(i));
                System.arraycopy(s.k[i], 0, keys, at, kvDim);
                System.arraycopy(s.v[i], 0, values, at, kvDim);
            }

            batchAttention(s, batch, kv, keys, values);

            for (int i = 0; i < n; i++) {
                inputs[i].set(s.xb2[i], 0, c.queryDim());
            }
            layer.attentionOutput().matmulBatch(inputs, n, s.xb, 0, dim, c.queryDim(), pool);
            for (int i = 0; i < n; i++) {
                float[] x = s.x[i];
                float[] xb = s.xb[i];
                for (int j = 0; j < dim; j++) {
                    x[j] += xb[j];
                }
                ArrayMath.rmsNorm(s.xb[i], x, layer.ffnNorm(), dim, c.rmsEpsilon());
                inputs[i].set(s.xb[i], 0, dim);
            }
            layer.ffnGate().matmulBatch(inputs, n, s.hb, 0, c.hiddenDim(), dim, pool);
            layer.ffnUp().matmulBatch(inputs, n, s.hb2, 0, c.hiddenDim(), dim, pool);
            for (int i = 0; i < n; i++) {
                float[] hb = s.hb[i];
                float[] hb2 = s.hb2[i];
                for (int j = 0; j < c.hiddenDim(); j++) {
                    float gate = hb[j];
                    hb[j] = gate / (1f + (float) Math.exp(-gate)) * hb2[j];
                }
                inputs[i].set(hb, 0, c.hiddenDim());
            }
            layer.ffnDown().matmulBatch(inputs, n, s.xb, 0, dim, c.hiddenDim(), pool);
            for (int i = 0; i < n; i++) {
                float[] x = s.x[i];
                float[] xb = s.xb[i];
                for (int j = 0; j < dim; j++) {
                    x[j] += xb[j];
                }
            }
        }

        int logitsRows = batch.logitsRows();
        if (logitsRows == 0) {
            return;
        }
        MatmulInput[] finalInputs = s.logitsInputs;
        int next = 0;
        for (int i = 0; i < n; i++) {
            if (batch.wantsLogits(i)) {
                ArrayMath.rmsNorm(s.x[i], s.x[i], weights.outputNorm(), dim, c.rmsEpsilon());
                finalInputs[next++].set(s.x[i], 0, dim);
            }
        }
        weights.output().matmulBatch(finalInputs, logitsRows, s.logitsRows(logitsRows), 0, c.vocabularySize(), dim, pool);
    }

    private static final ThreadLocal<float[]> ATTENTION_SCORES = ThreadLocal.withInitial(() -> new float[256]);

    private void batchAttention(BatchState s, ForwardBatch batch, KvBlocks kv, float[] keys, float[] values) {
        Configuration c = config;
        int headSize = c.headSize();
        int heads = c.heads();
        int queriesPerKv = heads / c.kvHeads();
        int blockSize = kv.blockSize();
        float scale = (float) (1.0 / Math.sqrt(headSize));
        pool.forRange(batch.size() * heads, (first, end) -> {
            float[] scores = ATTENTION_SCORES.get();
            for (int item = first; item < end; item++) {
                int row = item / heads;
                int h = item % heads;
                int position = batch.position(row);
                int[] table = batch.blockTable(row);
                if (scores.length <= position) {
                    scores = new float[Math.max(position + 1, scores.length * 2)];
                    ATTENTION_SCORES.set(scores);
                }
                float[] q = s.q[row];
                float[] out = s.xb2[row];
                int queryOffset = h * headSize;
                int kvOffset = (h / queriesPerKv) * headSize;
                for (int t = 0; t <= position; t++) {
                    int at = kv.offset(table, t) + kvOffset;
                    scores[t] = ArrayMath.dot(q, queryOffset, keys, at, headSize) * scale;
                }
                ArrayMath.softmax(scores, 0, position + 1);
                if (halfPrecisionAttention) {
                    roundToHalf(scores, 0, position + 1);
                }
                java.util.Arrays.fill(out, queryOffset, queryOffset + headSize, 0f);
                for (int t = 0; t <= position; t++) {
                    int at = kv.offset(table, t) + kvOffset;
                    ArrayMath.addScaled(out, queryOffset, scores[t], values, at, headSize);
                }
            }
        });
    }

    private static void rotate(float[] vector, int offset, int heads, int headSize, float[] cosines, float[] sines) {
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headSize;
            for (int i = 0; i < headSize / 2; i++) {
                float cos = cosines[i];
                float sin = sines[i];
                float v0 = vector[base + 2 * i];
                float v1 = vector[base + 2 * i + 1];
                vector[base + 2 * i] = v0 * cos - v1 * sin;
                vector[base + 2 * i + 1] = v0 * sin + v1 * cos;
            }
        }
    }

    private void checkToken(int token) {
        if (token < 0 || token >= config.vocabularySize()) {
            throw new IllegalArgumentException("token id " + token + " outside the vocabulary [0, " + config.vocabularySize() + ")");
        }
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
