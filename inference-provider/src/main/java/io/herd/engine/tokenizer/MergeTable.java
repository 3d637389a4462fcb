package io.herd.engine.tokenizer;

import java.util.Arrays;

/**
 * BPE merge rules keyed by the pair of token ids they join: open addressing over primitive
 * longs, since a Llama 3 vocabulary has hundreds of thousands of pairs and lookups sit in the
 * innermost encoding loop.
 */
final class MergeTable {

    static final long ABSENT = -1L;

    private long[] keys;
    private long[] values;
    private int size;

    MergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        Arrays.fill(keys, ABSENT);
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /** Adds the rule unless the pair already has one: the first (lowest-ranked) rule wins. */
    void putIfAbsent(int left, int right, int rank, int merged) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long key = key(left, right);
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (keys[i] == ABSENT) {
                keys[i] = key;
                values[i] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
                size++;
                return;
            }
            if (keys[i] == key) {
                return;
            }
        }
    }

    /** {@code rank << 32 | mergedToken}, or {@link #ABSENT}. */
    long get(int left, int right) {
        long key = key(left, right);
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == ABSENT) {
                return ABSENT;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        Arrays.fill(keys, ABSENT);
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != ABSENT) {
                int i = slot(oldKeys[j], mask);
                while (keys[i] != ABSENT) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }
}
