package io.herd.engine.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads for data-parallel loops such as the rows of a matmul. The calling
 * thread takes part; workers spin for up to 2 ms between loops (a forward pass issues them back to back)
 * and then park. No allocation per loop.
 */
public final class Parallel implements AutoCloseable {

    /** Body of a parallel loop over {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /**
     * How long an idle worker (or the caller waiting for workers) spins before it parks. It must outlast the serial
     * work between two loops of a forward pass (norms, RoPE, activation quantization): waking a parked thread
     * costs 50 µs or more on a VM, during which the caller runs every chunk itself. Counted in time, not in
     * iterations, because the cost of a spin-wait hint differs by CPU (a few ns here, 100+ elsewhere).
     */
    private static final long SPIN_NANOS = 2_000_000;

    private final int threads;
    private final Thread[] workers;
    /** The first index not yet handed out. */
    private final AtomicInteger nextStart = new AtomicInteger();
    private final AtomicInteger busyWorkers = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Thread waiter;
    private RangeBody body;
    private int count;
    /** Indices per chunk; 0: guided (each chunk a share of what is left). */
    private int chunk;
    private volatile Throwable failure;

    private Parallel(int threads) {
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("herd-matmul-" + (i + 1)).unstarted(this::workerLoop);
            workers[i].start();
        }
    }

    /** A pool of {@code threads} (including the caller); 1 runs everything on the caller. */
    public static Parallel create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        return new Parallel(threads);
    }

    public static Parallel withAvailableProcessors() {
        return create(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, count)} split into chunks across the pool; returns when all
     * chunks are done. Not reentrant: one loop at a time per pool.
     */
    public void forRange(int count, RangeBody body) {
        run(count, Math.max(1, count / (threads * 4)), body);
    }

    /**
     * The same with guided chunks: each takes {@code 1 / (2 * threads)} of the indices not yet handed out, so chunks
     * shrink towards the end and the threads finish together. For loops whose indices are uniform, independent
     * units of compute (the tiles of a matrix-matrix product); a memory-bound loop is better off with
     * {@link #forRange}'s few long contiguous chunks, which the hardware prefetcher follows.
     */
    public void forRangeGuided(int count, RangeBody body) {
        run(count, 0, body);
    }

    private synchronized void run(int count, int chunk, RangeBody body) {
        if (count <= 0) {
            return;
        }
        if (threads == 1 || count == 1) {
            body.run(0, count);
            return;
        }
        if (closed) {
            throw new IllegalStateException("pool closed");
        }
        this.body = body;
        this.count = count;
        this.chunk = chunk;
        this.failure = null;
        nextStart.set(0);
        busyWorkers.set(workers.length);
        waiter = Thread.currentThread();
        generation++; // publishes the fields above to the workers
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        try {
            runChunks();
        } catch (Throwable t) {
            failure = t;
            nextStart.set(Integer.MAX_VALUE / 2); // stop handing out chunks
        }
        int spins = 0;
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (busyWorkers.get() != 0) {
            if ((++spins & 63) != 0 || System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
        this.body = null;
        Throwable t = failure;
        if (t != null) {
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
    }

    private void runChunks() {
        if (chunk > 0) {
            int start;
            while ((start = nextStart.getAndAdd(chunk)) < count) {
                body.run(start, Math.min(count, start + chunk));
            }
            return;
        }
        int share = 2 * threads;
        while (true) {
            int start = nextStart.get();
            if (start >= count) {
                return;
            }
            int end = start + Math.max(1, (count - start) / share);
            if (nextStart.compareAndSet(start, end)) {
                body.run(start, end);
            }
        }
    }

    private void workerLoop() {
        long seen = 0;
        while (true) {
            int spins = 0;
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen && !closed) {
                if ((++spins & 63) != 0 || System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                runChunks();
            } catch (Throwable t) {
                failure = t;
                nextStart.set(Integer.MAX_VALUE / 2);
            } finally {
                if (busyWorkers.decrementAndGet() == 0) {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}
