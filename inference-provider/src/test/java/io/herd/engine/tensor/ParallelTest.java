package io.herd.engine.tensor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The worker pool: every index exactly once per loop (fixed and guided chunks), across parked and spinning workers, and failures. */
class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnceInEachOfManyLoops() {
        try (Parallel pool = Parallel.create(3)) {
            for (int loop = 0; loop < 2_000; loop++) {
                assertEveryIndexRunsOnce(pool, 1 + loop % 97, "loop " + loop);
            }
        }
    }

    @Test
    void guidedLoopsRunEveryIndexExactlyOnceInChunksThatShrink() {
        try (Parallel pool = Parallel.create(3)) {
            for (int loop = 0; loop < 500; loop++) {
                assertEveryIndexRunsOnce(pool, 1 + loop % 97, true, "guided loop " + loop);
            }
            // single-threaded view of the chunk sizes: with 3 threads each takes a sixth of what is left
            List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
            pool.forRangeGuided(600, (start, end) -> sizes.add(end - start));
            assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(600);
            assertThat(sizes).contains(100).contains(1);
            assertThat(Collections.max(sizes)).isEqualTo(100);
        }
    }

    @Test
    void loopsAfterTheWorkersParkedStillCoverEveryIndex() throws InterruptedException {
        try (Parallel pool = Parallel.create(2)) {
            for (int loop = 0; loop < 5; loop++) {
                Thread.sleep(5); // longer than the spin: the worker parks, and may wake after the loop is done
                assertEveryIndexRunsOnce(pool, 64, "loop " + loop);
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
            assertEveryIndexRunsOnce(pool, 100, "after the failure");
            assertThatThrownBy(() -> pool.forRangeGuided(100, (start, end) -> {
                if (start <= 50 && 50 < end) {
                    throw new IllegalStateException("guided chunk with 50");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("guided chunk with 50");
            assertEveryIndexRunsOnce(pool, 100, true, "after the guided failure");
        }
    }

    private static void assertEveryIndexRunsOnce(Parallel pool, int count, String what) {
        assertEveryIndexRunsOnce(pool, count, false, what);
    }

    private static void assertEveryIndexRunsOnce(Parallel pool, int count, boolean guided, String what) {
        AtomicIntegerArray hits = new AtomicIntegerArray(count);
        Parallel.RangeBody body = (start, end) -> {
            for (int i = start; i < end; i++) {
                hits.incrementAndGet(i);
            }
        };
        if (guided) {
            pool.forRangeGuided(count, body);
        } else {
            pool.forRange(count, body);
        }
        for (int i = 0; i < count; i++) {
            assertThat(hits.get(i)).as("%s, index %d", what, i).isEqualTo(1);
        }
    }
}
