package io.herd.engine.model;

import io.herd.engine.tensor.MatmulInput;

import java.util.ArrayList;
import java.util.List;

/**
 * Activations of a batched forward pass for up to {@code capacity} rows (one array per row, so the
 * single-row helpers apply unchanged), and the logits of the rows that ask for them. Grows on demand.
 */
public final class BatchState {

    private final Configuration config;
    private int capacity;
    float[][] x;
    float[][] xb;
    float[][] xb2;
    float[][] hb;
    float[][] hb2;
    float[][] q;
    /** Output slots of the K and V projections: the layer's cache array once per row, at {@link #kvOffsets}. */
    float[][] keyOutputs;
    float[][] valueOutputs;
    int[] kvOffsets;
    int[] zeroOffsets;
    /** Per row, RoPE's cosine of each pair twice ({@code c0, c0, c1, c1, ...}): the layout {@code ArrayMath.rotatePairs} reads. */
    float[][] ropeCos;
    /** Per row, the pair's sine negated then plain ({@code -s0, s0, -s1, s1, ...}). */
    float[][] ropeSin;
    MatmulInput[] inputs;
    MatmulInput[] logitsInputs;
    private final List<float[]> logits = new ArrayList<>();

    BatchState(Configuration config, int capacity) {
        this.config = config;
        allocate(Math.max(1, capacity));
    }

    void ensureCapacity(int rows) {
        if (rows > capacity) {
            allocate(Math.max(rows, capacity * 2));
        }
    }

    private void allocate(int rows) {
        Configuration c = config;
        int width = Math.max(c.dim(), c.queryDim());
        capacity = rows;
        x = new float[rows][c.dim()];
        xb = new float[rows][width];
        xb2 = new float[rows][width];
        hb = new float[rows][c.hiddenDim()];
        hb2 = new float[rows][c.hiddenDim()];
        q = new float[rows][c.queryDim()];
        keyOutputs = new float[rows][];
        valueOutputs = new float[rows][];
        kvOffsets = new int[rows];
        zeroOffsets = new int[rows];
        ropeCos = new float[rows][c.headSize()];
        ropeSin = new float[rows][c.headSize()];
        inputs = new MatmulInput[rows];
        logitsInputs = new MatmulInput[rows];
        for (int i = 0; i < rows; i++) {
            inputs[i] = new MatmulInput();
            logitsInputs[i] = new MatmulInput();
        }
    }

    float[][] logitsRows(int count) {
        while (logits.size() < count) {
            logits.add(new float[config.vocabularySize()]);
        }
        return logits.subList(0, count).toArray(new float[0][]);
    }

    /** Logits of the {@code index}-th row that asked for them in the last pass; overwritten by the next. */
    public float[] logits(int index) {
        return logits.get(index);
    }

    public int capacity() {
        return capacity;
    }
}
