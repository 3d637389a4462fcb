package io.herd.engine.model;

import java.util.Arrays;

/**
 * The rows of one batched forward pass: each row is one token of one sequence at one position, with the
 * block table through which that sequence's keys and values are found. Rows of the same sequence must be
 * in position order; a row sees the keys and values of every earlier position of its sequence, including
 * those written by earlier rows of the same batch. Rows that ask for logits get them in
 * {@link BatchState#logits(int)}, numbered in row order. Reused from step to step.
 */
public final class ForwardBatch {

    private int count;
    private int[] tokens;
    private int[] positions;
    private int[][] blockTables;
    private boolean[] wantsLogits;
    private int logitsRows;

    public ForwardBatch(int capacity) {
        tokens = new int[capacity];
        positions = new int[capacity];
        blockTables = new int[capacity][];
        wantsLogits = new boolean[capacity];
    }

    public void clear() {
        Arrays.fill(blockTables, 0, count, null);
        count = 0;
        logitsRows = 0;
    }

    /** Adds a row; returns its logits index when it asks for logits, else -1. */
    public int add(int token, int position, int[] blockTable, boolean logits) {
        if (count == tokens.length) {
            int capacity = tokens.length * 2;
            tokens = Arrays.copyOf(tokens, capacity);
            positions = Arrays.copyOf(positions, capacity);
            blockTables = Arrays.copyOf(blockTables, capacity);
            wantsLogits = Arrays.copyOf(wantsLogits, capacity);
        }
        tokens[count] = token;
        positions[count] = position;
        blockTables[count] = blockTable;
        wantsLogits[count] = logits;
        count++;
        return logits ? logitsRows++ : -1;
    }

    public int size() {
        return count;
    }

    public int logitsRows() {
        return logitsRows;
    }

    int token(int row) {
        return tokens[row];
    }

    int position(int row) {
        return positions[row];
    }

    int[] blockTable(int row) {
        return blockTables[row];
    }

    boolean wantsLogits(int row) {
        return wantsLogits[row];
    }
}
