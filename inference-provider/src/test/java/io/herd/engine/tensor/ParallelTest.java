package io.herd.engine.tensor;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The worker pool: every index exactly once per loop, across parked and spinning workers, and failures. */
class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnceInEachOfManyLoops() {
        try (Parallel pool = Parallel.create(3)) {
            for (int loop = 0; loop < 2_000; loop++) {
                int count = 1 + loop % 97;
                AtomicIntegerArray hits = new AtomicIntegerArray(count);
                pool.forRange(count, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < count; i++) {
                    assertThat(hits.get(i)).as("loop %d index %d", loop, i).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void loopsAfterTheWorkersParkedStillCoverEveryIndex() throws InterruptedException {
        try (Parallel pool = Parallel.create(2)) {
            for (int loop = 0; loop < 5; loop++) {
                Thread.sleep(5); // longer than the spin: the worker parks, and may wake after the loop is done
                AtomicIntegerArray hits = new AtomicIntegerArray(64);
                pool.forRange(64, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < 64; i++) {
                    assertThat(hits.get(i)).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void aFailingChunkFailsTheLoopAndThePoolKeepsWorking() {
        try (Parallel pool = Parallel.create(2)) {
            assertThatThrownBy(() -> pool.forRange(100, (start, end) -> {
                if (start <= 50 && 50 < end) {
                    throw new IllegalStateException("chunk with 50");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk with 50");
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            pool.forRange(100, (start, end) -> {
                for (int i = start; i < end; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 100; i++) {
                assertThat(hits.get(i)).isEqualTo(1);
            }
        }
    }
}
