package io.herd.engine.batch;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Bookkeeping of the paged KV cache: which blocks are free, which are held (reference-counted, as a
 * cached prefix block may be shared by several sequences), how many are promised to admitted sequences,
 * and the prefix cache index. A full block is published under a hash of its tokens chained with the hash
 * of the block before it, so a hit on block i implies the whole prefix up to it matches; hits are also
 * verified token by token, so a hash collision can never hand out wrong keys and values. Blocks whose last
 * holder let go stay cached and are evicted least recently used first when a block is needed.
 * Not thread-safe: the scheduler thread owns it.
 */
final class KvBlockPool {

    static final long ROOT_HASH = 0x243F6A8885A308D3L;

    private final int blockCount;
    private final int blockSize;
    private final int[] refCount;
    private final int[] freeStack;
    private int freeCount;
    /** Cached blocks nobody holds, least recently released first. */
    private final LinkedHashSet<Integer> evictable = new LinkedHashSet<>();
    private final Map<Long, Integer> cachedByHash = new HashMap<>();
    private final boolean[] cached;
    private final long[] blockHash;
    private final long[] parentHash;
    private final int[][] blockTokens;
    private int reserved;
    private int held;

    KvBlockPool(int blockCount, int blockSize) {
        this.blockCount = blockCount;
        this.blockSize = blockSize;
        this.refCount = new int[blockCount];
        this.freeStack = new int[blockCount];
        for (int b = 0; b < blockCount; b++) {
            freeStack[b] = blockCount - 1 - b; // block 0 handed out first
        }
        this.freeCount = blockCount;
        this.cached = new boolean[blockCount];
        this.blockHash = new long[blockCount];
        this.parentHash = new long[blockCount];
        this.blockTokens = new int[blockCount][];
    }

    int blockCount() {
        return blockCount;
    }

    int blockSize() {
        return blockSize;
    }

    /** Blocks that a new reservation may still claim: free ones and unheld cached ones, minus promises. */
    int available() {
        return freeCount + evictable.size() - reserved;
    }

    boolean reserve(int blocks) {
        if (available() < blocks) {
            return false;
        }
        reserved += blocks;
        return true;
    }

    void unreserve(int blocks) {
        if (blocks > reserved) {
            throw new IllegalStateException("unreserving " + blocks + " blocks, only " + reserved + " reserved");
        }
        reserved -= blocks;
    }

    /** Takes one block out of an earlier reservation: a free one, else the least recently used cached one. */
    int take() {
        if (reserved == 0) {
            throw new IllegalStateException("no reserved KV block to take");
        }
        int block;
        if (freeCount > 0) {
            block = freeStack[--freeCount];
        } else {
            Iterator<Integer> oldest = evictable.iterator();
            block = oldest.next();
            oldest.remove();
            uncache(block);
        }
        reserved--;
        refCount[block] = 1;
        held++;
        return block;
    }

    /** One more holder of a cached block (a prefix hit). */
    void retain(int block) {
        if (refCount[block]++ == 0) {
            evictable.remove(block);
            held++;
        }
    }

    void release(int block) {
        if (refCount[block] <= 0) {
            throw new IllegalStateException("KV block " + block + " released more often than taken");
        }
        if (--refCount[block] == 0) {
            held--;
            if (cached[block]) {
                evictable.add(block);
            } else {
                freeStack[freeCount++] = block;
            }
        }
    }

    /** The cached block holding {@code tokens[from, from+blockSize)} after the prefix hashed {@code parent}, or -1. */
    int lookup(long parent, long hash, int[] tokens, int from) {
        Integer block = cachedByHash.get(hash);
        if (block == null || parentHash[block] != parent
                || !Arrays.equals(blockTokens[block], 0, blockSize, tokens, from, from + blockSize)) {
            return -1;
        }
        return block;
    }

    /** Makes a full block findable by later prompts; a block with the same content already cached wins. */
    void publish(int block, long parent, long hash, int[] tokens, int from) {
        if (cached[block] || cachedByHash.containsKey(hash)) {
            return;
        }
        cached[block] = true;
        blockHash[block] = hash;
        parentHash[block] = parent;
        blockTokens[block] = Arrays.copyOfRange(tokens, from, from + blockSize);
        cachedByHash.put(hash, block);
    }

    private void uncache(int block) {
        cachedByHash.remove(blockHash[block]);
        cached[block] = false;
        blockTokens[block] = null;
    }

    static long chain(long parent, int[] tokens, int from, int length) {
        long h = parent;
        for (int i = from; i < from + length; i++) {
            h = (h ^ (tokens[i] & 0xFFFFFFFFL)) * 0x100000001B3L;
        }
        h ^= h >>> 33; // final avalanche (murmur3 fmix64)
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    int heldBlocks() {
        return held;
    }

    int cachedUnheldBlocks() {
        return evictable.size();
    }

    int reservedBlocks() {
        return reserved;
    }
}
