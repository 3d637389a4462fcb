package io.herd.engine.model;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.gguf.GGUFTensorInfo;
import io.herd.engine.tensor.FloatTensor;

import java.util.function.LongSupplier;

/**
 * The Java heap a model's repacked weights need (Q4_0, Q8_0 and the K-quants live in Java arrays; see {@link FloatTensor#of}),
 * checked before loading: a heap too small for them would otherwise end the load with an {@link OutOfMemoryError}
 * half way through, after minutes of reading, and leave the process short of memory.
 */
final class HeapBudget {

    private static final long MIB = 1024 * 1024;

    private HeapBudget() {
    }

    /** Bytes the file's tensors that are repacked at load take in the heap (about their size in the file). */
    static long repackedBytes(GGUFFile gguf) {
        long bytes = 0;
        for (GGUFTensorInfo info : gguf.tensors().values()) {
            if (FloatTensor.isRepackedAtLoad(info.type())) {
                bytes += FloatTensor.repackedBytes(info.type(), info.byteSize());
            }
        }
        return bytes;
    }

    /** Fails when {@code needed} bytes do not fit this JVM's heap, after a collection if they do not fit at first. */
    static void require(String model, long needed) {
        Runtime runtime = Runtime.getRuntime();
        require(model, needed, runtime.maxMemory(), () -> runtime.totalMemory() - runtime.freeMemory(), System::gc);
    }

    /**
     * Fails when {@code needed} bytes do not fit a heap of at most {@code maxHeap} bytes, {@code used} taken: measured
     * once, and when that does not fit, again after {@code collect}. Until a collection, garbage (up to a young
     * generation's worth) counts as used, which would refuse a model that fits; a model is loaded rarely, so one
     * collection before refusing costs little.
     */
    static void require(String model, long needed, long maxHeap, LongSupplier used, Runnable collect) {
        if (fits(needed, maxHeap, used.getAsLong())) {
            return;
        }
        collect.run();
        require(model, needed, maxHeap, used.getAsLong());
    }

    private static boolean fits(long needed, long maxHeap, long used) {
        return maxHeap == Long.MAX_VALUE || needed <= maxHeap - used;
    }

    /** Fails when {@code needed} bytes do not fit a heap of at most {@code maxHeap} bytes of which {@code used} are taken. */
    static void require(String model, long needed, long maxHeap, long used) {
        if (fits(needed, maxHeap, used)) {
            return;
        }
        throw new IllegalStateException(String.format(
                "%s needs about %d MiB of Java heap for its Q4_0/Q8_0/K-quant weights, but the heap has %d MiB free of its %d MiB "
                        + "maximum; give the JVM a larger -Xmx (for ./herd: HERD_JAVA_OPTS=\"-Xmx...\")",
                model, ceilMib(needed), Math.max(0, (maxHeap - used) / MIB), maxHeap / MIB));
    }

    private static long ceilMib(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }
}
