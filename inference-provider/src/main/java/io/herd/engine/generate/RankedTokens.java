package io.herd.engine.generate;

import java.util.Arrays;

/**
 * Orders token ids by score without boxing: each (score, id) pair is packed into one long whose
 * natural order is descending score, so sorting or heap selection works on primitive arrays.
 */
final class RankedTokens {

    private RankedTokens() {
    }

    /** Ids of all {@code count} first scores, highest first. */
    static int[] sortedDescending(float[] scores, int count) {
        long[] packed = new long[count];
        for (int i = 0; i < count; i++) {
            packed[i] = pack(scores[i], i);
        }
        Arrays.sort(packed);
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = unpackId(packed[i]);
        }
        return ids;
    }

    /** The given ids ordered by score, highest first. */
    static int[] sortedDescending(float[] scores, int[] ids) {
        long[] packed = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            packed[i] = pack(scores[ids[i]], ids[i]);
        }
        Arrays.sort(packed);
        int[] sorted = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            sorted[i] = unpackId(packed[i]);
        }
        return sorted;
    }

    /** Ids of the {@code k} highest of the first {@code count} scores, highest first (ties: lower id first). */
    static int[] topK(float[] scores, int count, int k) {
        if (k >= count) {
            return sortedDescending(scores, count);
        }
        // Max-heap on the packed key keeps the k smallest keys, i.e. the k highest scores.
        long[] heap = new long[k];
        for (int i = 0; i < k; i++) {
            heap[i] = pack(scores[i], i);
        }
        for (int i = k / 2 - 1; i >= 0; i--) {
            siftDown(heap, i, k);
        }
        for (int i = k; i < count; i++) {
            long key = pack(scores[i], i);
            if (key < heap[0]) {
                heap[0] = key;
                siftDown(heap, 0, k);
            }
        }
        Arrays.sort(heap);
        int[] ids = new int[k];
        for (int i = 0; i < k; i++) {
            ids[i] = unpackId(heap[i]);
        }
        return ids;
    }

    private static void siftDown(long[] heap, int index, int size) {
        while (true) {
            int left = 2 * index + 1;
            if (left >= size) {
                return;
            }
            int largest = left;
            int right = left + 1;
            if (right < size && heap[right] > heap[left]) {
                largest = right;
            }
            if (heap[largest] <= heap[index]) {
                return;
            }
            long tmp = heap[index];
            heap[index] = heap[largest];
            heap[largest] = tmp;
            index = largest;
        }
    }

    private static long pack(float score, int id) {
        int bits = Float.floatToIntBits(score);
        // Map float order onto signed int order, then invert so that higher scores sort first.
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~ordered << 32) | (id & 0xffffffffL);
    }

    private static int unpackId(long packed) {
        return (int) packed;
    }
}
