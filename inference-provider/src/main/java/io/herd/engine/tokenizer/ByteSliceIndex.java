package io.herd.engine.tokenizer;

import java.util.Arrays;

/**
 * Token ids by their bytes, looked up by a slice of a byte array without copying it. The hash is
 * a polynomial over the bytes, so the hash of any prefix or suffix of a token follows from prefix
 * hashes: splitting all of Llama 3's 128k tokens into candidate merge pairs allocates nothing.
 */
final class ByteSliceIndex {

    static final int MULTIPLIER = 0x01000193;

    private final byte[][] keys;
    private final int[] slots; // token id + 1; 0 = empty
    private final int mask;

    /** Indexes {@code keys[id]} for every id where {@code include[id]}; the first id wins on duplicates. */
    ByteSliceIndex(byte[][] keys, boolean[] include) {
        this.keys = keys;
        int count = 0;
        for (boolean b : include) {
            count += b ? 1 : 0;
        }
        int capacity = Integer.highestOneBit(Math.max(16, count * 2 - 1)) << 1;
        this.slots = new int[capacity];
        this.mask = capacity - 1;
        for (int id = 0; id < keys.length; id++) {
            if (include[id] && get(keys[id], 0, keys[id].length, hash(keys[id], 0, keys[id].length)) < 0) {
                int i = mix(hash(keys[id], 0, keys[id].length)) & mask;
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = id + 1;
            }
        }
    }

    static int hash(byte[] bytes, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = h * MULTIPLIER + (bytes[i] & 0xFF);
        }
        return h;
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** The id whose bytes equal {@code bytes[from, to)}, given their {@link #hash}; -1 if none. */
    int get(byte[] bytes, int from, int to, int hash) {
        for (int i = mix(hash) & mask; ; i = (i + 1) & mask) {
            int slot = slots[i];
            if (slot == 0) {
                return -1;
            }
            byte[] key = keys[slot - 1];
            if (Arrays.equals(key, 0, key.length, bytes, from, to)) {
                return slot - 1;
            }
        }
    }

    int get(byte[] bytes) {
        return get(bytes, 0, bytes.length, hash(bytes, 0, bytes.length));
    }
}
