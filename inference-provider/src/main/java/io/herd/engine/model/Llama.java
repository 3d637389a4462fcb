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

    /**
     * One token through {@link #forwardBatch} as a batch of one row over the state's contiguous cache: the
     * single-sequence and the batched paths are the same code.
     */
    @Override
    public float[] forward(ModelState modelState, int token, int position) {
        State s = checked(modelState, token, position);
        ForwardBatch batch = s.batch(1);
        batch.add(token, position, s.blockTable, true);
        return runOnState(s, batch);
    }

    /** Prompt tokens processed together by {@link #prefill}. */
    public static final int PREFILL_BATCH = 16;

    /**
     * Feeds the prompt in batches of up to {@link #PREFILL_BATCH} tokens through {@link #forwardBatch}: each
     * weight matrix is read once per batch instead of once per token. Logits are bit-identical to feeding
     * the tokens one by one.
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
        float[] logits = null;
        for (int done = 0; done < tokens.length; done += PREFILL_BATCH) {
            int n = Math.min(PREFILL_BATCH, tokens.length - done);
            ForwardBatch batch = s.batch(n);
            for (int i = done; i < done + n; i++) {
                batch.add(tokens[i], startPosition + i, s.blockTable, i == tokens.length - 1);
            }
            logits = runOnState(s, batch);
        }
        return logits;
    }

    private float[] runOnState(State s, ForwardBatch batch) {
        BatchState batchState = s.batchState(config, batch.size());
        forwardBatch(batchState, batch, s.blocks);
        if (batch.logitsRows() > 0) {
            System.arraycopy(batchState.logits(0), 0, s.logits, 0, config.vocabularySize());
        }
        return s.logits;
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
        int[] zero = s.zeroOffsets;
        int[] kvOffsets = s.kvOffsets;
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
            kvOffsets[i] = kv.offset(table, position);
            for (int p = 0; p < ropeFrequencies.length; p++) {
                double angle = position * ropeFrequencies[p];
                float cos = (float) Math.cos(angle);
                float sin = (float) Math.sin(angle);
                s.ropeCos[i][2 * p] = cos;
                s.ropeCos[i][2 * p + 1] = cos;
                s.ropeSin[i][2 * p] = -sin;
                s.ropeSin[i][2 * p + 1] = sin;
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
            // Keys and values go straight into each row's cache slot.
            java.util.Arrays.fill(s.keyOutputs, 0, n, keys);
            java.util.Arrays.fill(s.valueOutputs, 0, n, values);
            layer.query().matmul(inputs, n, s.q, zero, c.queryDim(), dim, pool);
            layer.key().matmul(inputs, n, s.keyOutputs, kvOffsets, kvDim, dim, pool);
            layer.value().matmul(inputs, n, s.valueOutputs, kvOffsets, kvDim, dim, pool);

            for (int i = 0; i < n; i++) {
                int at = kvOffsets[i];
                ArrayMath.rotatePairs(s.q[i], 0, c.queryDim(), s.ropeCos[i], s.ropeSin[i]);
                ArrayMath.rotatePairs(keys, at, kvDim, s.ropeCos[i], s.ropeSin[i]);
                if (halfPrecisionAttention) {
                    roundToHalf(keys, at, kvDim);
                    roundToHalf(values, at, kvDim);
                    roundToHalf(s.q[i], 0, c.queryDim());
                }
            }

            batchAttention(s, batch, kv, keys, values);

            for (int i = 0; i < n; i++) {
                inputs[i].set(s.xb2[i], 0, c.queryDim());
            }
            layer.attentionOutput().matmul(inputs, n, s.xb, zero, dim, c.queryDim(), pool);
            for (int i = 0; i < n; i++) {
                float[] x = s.x[i];
                float[] xb = s.xb[i];
                for (int j = 0; j < dim; j++) {
                    x[j] += xb[j];
                }
                ArrayMath.rmsNorm(s.xb[i], x, layer.ffnNorm(), dim, c.rmsEpsilon());
                inputs[i].set(s.xb[i], 0, dim);
            }
            layer.ffnGate().matmul(inputs, n, s.hb, zero, c.hiddenDim(), dim, pool);
            layer.ffnUp().matmul(inputs, n, s.hb2, zero, c.hiddenDim(), dim, pool);
            for (int i = 0; i < n; i++) {
                ArrayMath.swiglu(s.hb[i], s.hb2[i], c.hiddenDim());
                inputs[i].set(s.hb[i], 0, c.hiddenDim());
            }
            layer.ffnDown().matmul(inputs, n, s.xb, zero, dim, c.hiddenDim(), pool);
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
        weights.output().matmul(finalInputs, logitsRows, s.logitsRows(logitsRows), zero, c.vocabularySize(), dim, pool);
    }

    private static final ThreadLocal<float[]> ATTENTION_SCORES = ThreadLocal.withInitial(() -> new float[256]);
    /** Where each position of the current row's sequence starts in the KV arrays (computed once per row, not per head). */
    private static final ThreadLocal<int[]> POSITION_OFFSETS = ThreadLocal.withInitial(() -> new int[256]);

    private void batchAttention(BatchState s, ForwardBatch batch, KvBlocks kv, float[] keys, float[] values) {
        Configuration c = config;
        int headSize = c.headSize();
        int kvHeads = c.kvHeads();
        int queriesPerKv = c.heads() / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headSize));
        // One item per row and KV head: the query heads that share a KV head read its keys and values together.
        pool.forRange(batch.size() * kvHeads, (first, end) -> {
            float[] scores = ATTENTION_SCORES.get();
            int[] offsets = POSITION_OFFSETS.get();
            int offsetsRow = -1;
            for (int item = first; item < end; item++) {
                int row = item / kvHeads;
                int kvHead = item % kvHeads;
                int positions = batch.position(row) + 1;
                if (scores.length < queriesPerKv * positions) {
                    scores = new float[Math.max(queriesPerKv * positions, scores.length * 2)];
                    ATTENTION_SCORES.set(scores);
                }
                if (row != offsetsRow) {
                    if (offsets.length < positions) {
                        offsets = new int[Math.max(positions, offsets.length * 2)];
                        POSITION_OFFSETS.set(offsets);
                    }
                    int[] table = batch.blockTable(row);
                    for (int t = 0; t < positions; t++) {
                        offsets[t] = kv.offset(table, t);
                    }
                    offsetsRow = row;
                }
                int queryOffset = kvHead * queriesPerKv * headSize;
                int kvOffset = kvHead * headSize;
                ArrayMath.groupAttentionScores(s.q[row], queryOffset, queriesPerKv, keys, offsets, kvOffset, headSize, scale,
                        scores, positions);
                for (int j = 0; j < queriesPerKv; j++) {
                    ArrayMath.softmax(scores, j * positions, positions);
                    if (halfPrecisionAttention) {
                        roundToHalf(scores, j * positions, positions);
                    }
                }
                ArrayMath.groupWeightedSum(s.xb2[row], queryOffset, queriesPerKv, scores, values, offsets, kvOffset, headSize,
                        positions);
            }
        });
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
