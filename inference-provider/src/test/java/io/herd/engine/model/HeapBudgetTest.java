package io.herd.engine.model;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeapBudgetTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void weightsThatFitTheFreeHeapPass() {
        assertThatCode(() -> HeapBudget.require("m.gguf", 600 * MIB, 2048 * MIB, 100 * MIB)).doesNotThrowAnyException();
    }

    @Test
    void weightsLargerThanTheFreeHeapFailBeforeLoadingWithTheSizesAndTheFix() {
        assertThatThrownBy(() -> HeapBudget.require("bench-1b-Q8_0.gguf", 1116 * MIB, 1024 * MIB, 24 * MIB))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bench-1b-Q8_0.gguf needs about 1116 MiB of Java heap")
                .hasMessageContaining("1000 MiB free of its 1024 MiB maximum")
                .hasMessageContaining("-Xmx");
    }

    @Test
    void theUsedPartOfTheHeapCounts() {
        assertThatThrownBy(() -> HeapBudget.require("m.gguf", 600 * MIB, 1024 * MIB, 500 * MIB))
                .isInstanceOf(IllegalStateException.class);
    }

    /** Q4_K's and Q5_K's repacked super-blocks hold the scales and mins unpacked: 4 bytes more than in the file. */
    @Test
    void kQuantWeightsTakeTheirRepackedSize() {
        assertThat(io.herd.engine.tensor.FloatTensor.repackedBytes(io.herd.engine.gguf.GGMLType.Q5_K, 176L * 1000)).isEqualTo(180L * 1000);
        assertThat(io.herd.engine.tensor.FloatTensor.repackedBytes(io.herd.engine.gguf.GGMLType.Q4_K, 144L * 1000)).isEqualTo(148L * 1000);
        assertThat(io.herd.engine.tensor.FloatTensor.repackedBytes(io.herd.engine.gguf.GGMLType.Q6_K, 210L * 1000)).isEqualTo(210L * 1000);
    }

    @Test
    void anUnlimitedHeapAlwaysPasses() {
        assertThatCode(() -> HeapBudget.require("m.gguf", Long.MAX_VALUE / 2, Long.MAX_VALUE, 0)).doesNotThrowAnyException();
    }

    @Test
    void garbageCollectedBeforeRefusingDoesNotCountAsUsed() {
        AtomicInteger collections = new AtomicInteger();
        // 500 MiB used before the collection, 100 after it
        assertThatCode(() -> HeapBudget.require("m.gguf", 600 * MIB, 1024 * MIB,
                () -> collections.get() == 0 ? 500 * MIB : 100 * MIB, collections::incrementAndGet)).doesNotThrowAnyException();
        assertThat(collections).hasValue(1);
    }

    @Test
    void aHeapStillTooFullAfterTheCollectionRefuses() {
        AtomicInteger collections = new AtomicInteger();
        assertThatThrownBy(() -> HeapBudget.require("m.gguf", 600 * MIB, 1024 * MIB, () -> 500 * MIB, collections::incrementAndGet))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("524 MiB free");
        assertThat(collections).hasValue(1);
    }

    @Test
    void weightsThatFitAtOnceNeedNoCollection() {
        AtomicInteger collections = new AtomicInteger();
        assertThatCode(() -> HeapBudget.require("m.gguf", 600 * MIB, 1024 * MIB, () -> 100 * MIB, collections::incrementAndGet))
                .doesNotThrowAnyException();
        assertThat(collections).hasValue(0);
    }
}
