package io.herd.engine.model;

import io.herd.engine.tensor.MatmulInput;

/** Activations and KV cache of one sequence, sized for the context the caller asked for. */
public final class State implements ModelState {

    final int contextLength;
    final float[] x;
    final float[] xb;
    final float[] xb2;
    final float[] hb;
    final float[] hb2;
    final float[] q;
    final float[][] keyCache;
    final float[][] valueCache;
    final float[] attention;
    final float[] logits;
    final float[] ropeCos;
    final float[] ropeSin;
    final MatmulInput input = new MatmulInput();
    /** The same cache seen as one block, for batched prefill. */
    final KvBlocks blocks;
    final int[] blockTable = {0};
    private BatchState batch;

    State(Configuration c, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be at least 1, got " + contextLength);
        }
        long cacheBytes = 2L * c.layers() * contextLength * c.kvDim() * Float.BYTES;
        if ((long) contextLength * c.kvDim() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("context length " + contextLength + " is too large for one KV cache array ("
                    + cacheBytes + " bytes)");
        }
        this.contextLength = contextLength;
        x = new float[c.dim()];
        xb = new float[Math.max(c.dim(), c.queryDim())];
        xb2 = new float[Math.max(c.dim(), c.queryDim())];
        hb = new float[c.hiddenDim()];
        hb2 = new float[c.hiddenDim()];
        q = new float[c.queryDim()];
        keyCache = new float[c.layers()][contextLength * c.kvDim()];
        valueCache = new float[c.layers()][contextLength * c.kvDim()];
        attention = new float[c.heads() * contextLength];
        logits = new float[c.vocabularySize()];
        ropeCos = new float[c.headSize() / 2];
        ropeSin = new float[c.headSize() / 2];
        blocks = new KvBlocks(keyCache, valueCache, contextLength, c.kvDim());
    }

    BatchState batchState(Configuration c, int rows) {
        if (batch == null) {
            batch = new BatchState(c, rows);
        }
        batch.ensureCapacity(rows);
        return batch;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }
}
