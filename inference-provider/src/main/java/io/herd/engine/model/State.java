package io.herd.engine.model;

import io.herd.engine.tensor.MatmulInput;

/**
 * Activations and KV cache of one sequence, sized for the context the caller asked for. Activations
 * are held per batch slot: one slot for token-by-token decoding, more (allocated on first use) when a
 * prompt is fed in batches.
 */
public final class State implements ModelState {

    final Configuration config;
    final int contextLength;
    final float[][] keyCache;
    final float[][] valueCache;
    final float[] attention;
    final float[] logits;
    final float[] ropeCos;
    final float[] ropeSin;

    int batchCapacity;
    float[][] x;
    float[][] xb;
    float[][] xb2;
    float[][] hb;
    float[][] hb2;
    float[][] q;
    MatmulInput[] inputs;
    /** Scratch for the output offsets of batched matmuls. */
    int[] offsets;
    int[] zeroOffsets;
    /** The KV cache of the current layer once per batch slot: the outputs of the K and V projections. */
    float[][] keyOutputs;
    float[][] valueOutputs;
    final int[] singleToken = new int[1];

    State(Configuration c, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be at least 1, got " + contextLength);
        }
        if ((long) contextLength * c.kvDim() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("context length " + contextLength + " is too large for one KV cache array");
        }
        this.config = c;
        this.contextLength = contextLength;
        keyCache = new float[c.layers()][contextLength * c.kvDim()];
        valueCache = new float[c.layers()][contextLength * c.kvDim()];
        attention = new float[c.heads() * contextLength];
        logits = new float[c.vocabularySize()];
        ropeCos = new float[c.headSize() / 2];
        ropeSin = new float[c.headSize() / 2];
        ensureBatchCapacity(1);
    }

    void ensureBatchCapacity(int n) {
        if (n <= batchCapacity) {
            return;
        }
        Configuration c = config;
        int width = Math.max(c.dim(), c.queryDim());
        x = grow(x, n, c.dim());
        xb = grow(xb, n, width);
        xb2 = grow(xb2, n, width);
        hb = grow(hb, n, c.hiddenDim());
        hb2 = grow(hb2, n, c.hiddenDim());
        q = grow(q, n, c.queryDim());
        MatmulInput[] grownInputs = new MatmulInput[n];
        for (int i = 0; i < n; i++) {
            grownInputs[i] = i < batchCapacity ? inputs[i] : new MatmulInput();
        }
        inputs = grownInputs;
        offsets = new int[n];
        zeroOffsets = new int[n];
        keyOutputs = new float[n][];
        valueOutputs = new float[n][];
        batchCapacity = n;
    }

    private float[][] grow(float[][] old, int n, int width) {
        float[][] grown = new float[n][];
        for (int i = 0; i < n; i++) {
            grown[i] = old != null && i < old.length ? old[i] : new float[width];
        }
        return grown;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }
}
