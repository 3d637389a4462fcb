package io.herd.engine.batch;

import io.herd.engine.generate.Delta;
import io.herd.engine.generate.Generation;
import io.herd.engine.generate.GenerationRequest;
import io.herd.engine.model.BatchState;
import io.herd.engine.model.BatchedLanguageModel;
import io.herd.engine.model.ForwardBatch;
import io.herd.engine.model.KvBlocks;
import io.herd.engine.tokenizer.Tokenizer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching over one model. A scheduler thread runs steps; each step is one batched forward
 * pass holding a decode token for every running sequence plus chunks of the prompts being prefilled (up
 * to {@link SchedulerConfig#maxStepTokens()} rows). Between steps it admits waiting requests, FIFO, as
 * long as the paged KV cache can promise each one the blocks for its prompt and {@code maxTokens}
 * (so a running sequence never runs out of memory mid-way and nothing needs preempting); it frees a
 * sequence's blocks as soon as it finishes or is cancelled. With prefix caching, a prompt that starts
 * with full blocks computed earlier (the same system prompt, the conversation so far) takes those blocks
 * instead of recomputing them.
 *
 * <p>Every row's logits are bit-identical to running the sequence alone, so greedy output does not
 * depend on what else is in the batch. Sampling and stop rules are {@link Generation}'s.
 */
public final class BatchScheduler implements AutoCloseable {

    private final BatchedLanguageModel model;
    private final Tokenizer tokenizer;
    private final SchedulerConfig config;
    private final KvBlocks kv;
    private final KvBlockPool pool;
    private final BatchState batchState;
    private final ForwardBatch batch;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    /** Output gathered under the lock and handed to listeners after releasing it, so listeners may call back in. */
    private final List<Runnable> deliveries = new ArrayList<>();
    private boolean closed;

    private long forwardRows;
    private long prefixHitTokens;
    private long steps;
    private long completed;
    /** Smoothed seconds from submission to the end of a generation, for retry-after hints. */
    private double meanRequestSeconds = 1.0;

    public BatchScheduler(BatchedLanguageModel model, SchedulerConfig config) {
        this.model = model;
        this.tokenizer = model.tokenizer();
        this.config = config;
        long blockBytes = KvBlocks.bytesPerBlock(model.configuration(), config.blockSize());
        long blocks = config.kvBudgetBytes() / blockBytes;
        if (blocks < 1) {
            throw new IllegalArgumentException("a KV budget of " + config.kvBudgetBytes() + " bytes holds no block of "
                    + config.blockSize() + " positions (" + blockBytes + " bytes each)");
        }
        int blockCount = (int) Math.min(blocks, Integer.MAX_VALUE / 2);
        this.kv = model.newKvBlocks(blockCount, config.blockSize());
        this.pool = new KvBlockPool(blockCount, config.blockSize());
        this.batchState = model.newBatchState(config.maxStepTokens());
        this.batch = new ForwardBatch(config.maxStepTokens());
        this.thread = Thread.ofPlatform().name("herd-scheduler-" + model.name()).daemon().unstarted(this::run);
        thread.start();
    }

    public SchedulerConfig config() {
        return config;
    }

    /** Submits a request whose output is pulled with {@link GenerationHandle#next()}. */
    public GenerationHandle submit(GenerationRequest request) {
        return submit(request, null);
    }

    /**
     * Queues a request. Returns at once; the output goes to {@code listener} (on the scheduler thread), or
     * when it is null, to the handle for pulling.
     *
     * @throws io.herd.engine.generate.ContextLengthExceededException when the prompt does not fit the context
     * @throws IllegalArgumentException when the request could never fit the KV cache, or a token is invalid
     * @throws SchedulerFullException   when {@link SchedulerConfig#maxWaiting()} requests already wait
     */
    public GenerationHandle submit(GenerationRequest request, GenerationListener listener) {
        int[] prompt = request.promptTokens();
        Generation generation = Generation.driven(tokenizer, model.vocabularySize(), model.maxContextLength(), request);
        int context = request.contextLength() == 0 ? model.maxContextLength()
                : Math.min(request.contextLength(), model.maxContextLength());
        int maxPositions = (int) Math.min(context, (long) prompt.length + request.sampling().maxTokens());
        int blocksNeeded = Sequence.blocksFor(maxPositions, config.blockSize());
        if (blocksNeeded > pool.blockCount()) {
            throw new IllegalArgumentException("the request needs up to " + maxPositions + " KV positions ("
                    + blocksNeeded + " blocks) but the KV cache holds " + pool.blockCount() + " blocks of "
                    + config.blockSize() + "; lower max_tokens or the prompt length");
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the scheduler is closed");
            }
            // requests bound for a free running slot are not queued: the scheduler thread may not have admitted them yet
            int freeSlots = Math.max(0, config.maxRunning() - running.size());
            if (waiting.size() - freeSlots >= config.maxWaiting()) {
                throw new SchedulerFullException(waiting.size(), retryAfter());
            }
            GenerationHandle handle = new GenerationHandle(ids.incrementAndGet(), prompt.length, listener, this::wake);
            waiting.add(new Sequence(handle, generation, prompt, maxPositions, config.blockSize()));
            work.signal();
            return handle;
        } finally {
            lock.unlock();
        }
    }

    public SchedulerStats stats() {
        lock.lock();
        try {
            return new SchedulerStats(waiting.size(), running.size(), pool.blockCount(), pool.heldBlocks(),
                    pool.cachedUnheldBlocks(), pool.reservedBlocks(), forwardRows, prefixHitTokens, steps, completed);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the scheduler; running and waiting generations end as cancelled. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void wake() {
        lock.lock();
        try {
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    private Duration retryAfter() {
        double seconds = meanRequestSeconds * (waiting.size() + 1) / config.maxRunning();
        return Duration.ofSeconds(Math.clamp((long) Math.ceil(seconds), 1, 60));
    }

    private void run() {
        while (true) {
            lock.lock();
            try {
                while (!closed && running.isEmpty() && waiting.isEmpty()) {
                    work.awaitUninterruptibly();
                }
                if (closed) {
                    shutDown();
                } else {
                    endCancelled();
                    admit();
                    planStep();
                }
            } finally {
                lock.unlock();
            }
            handOut();
            if (closed) {
                return;
            }
            if (batch.size() == 0) {
                continue;
            }
            Throwable failure = null;
            try {
                model.forwardBatch(batchState, batch, kv);
            } catch (RuntimeException | Error e) {
                // Fails the sequences of this step (out of memory included), not the scheduler.
                failure = e;
            }
            lock.lock();
            try {
                if (failure == null) {
                    finishStep();
                } else {
                    failRunning(failure);
                }
            } finally {
                lock.unlock();
            }
            handOut();
        }
    }

    private void handOut() {
        for (Runnable delivery : deliveries) {
            try {
                delivery.run();
            } catch (RuntimeException e) {
                // a listener's onError threw; nothing more to tell it
            }
        }
        deliveries.clear();
    }

    /** Ends cancelled sequences, waiting or running, and frees their blocks. */
    private void endCancelled() {
        for (Iterator<Sequence> it = waiting.iterator(); it.hasNext(); ) {
            Sequence s = it.next();
            if (s.handle.cancelRequested()) {
                it.remove();
                endWithoutToken(s);
            }
        }
        for (Iterator<Sequence> it = running.iterator(); it.hasNext(); ) {
            Sequence s = it.next();
            if (s.handle.cancelRequested()) {
                it.remove();
                endWithoutToken(s);
                releaseBlocks(s);
            }
        }
    }

    private void endWithoutToken(Sequence s) {
        s.generation.cancel();
        Delta last = s.generation.advance(null);
        s.finished = true;
        completed++;
        deliver(s, last, false);
    }

    /** FIFO admission: the head waits (and blocks those behind it) until its blocks can be promised. */
    private void admit() {
        while (!waiting.isEmpty() && running.size() < config.maxRunning()) {
            Sequence s = waiting.peek();
            if (!reserveBlocks(s)) {
                return;
            }
            waiting.poll();
            running.add(s);
        }
    }

    private boolean reserveBlocks(Sequence s) {
        int blockSize = pool.blockSize();
        List<Integer> hits = new ArrayList<>();
        long parent = KvBlockPool.ROOT_HASH;
        if (config.prefixCaching()) {
            // Only blocks wholly before the last prompt token: that token is always computed, for its logits.
            int candidates = (s.promptLength - 1) / blockSize;
            for (int i = 0; i < candidates; i++) {
                long hash = KvBlockPool.chain(parent, s.tokens, i * blockSize, blockSize);
                int block = pool.lookup(parent, hash, s.tokens, i * blockSize);
                if (block < 0) {
                    break;
                }
                pool.retain(block);
                hits.add(block);
                parent = hash;
            }
        }
        int needed = s.blockTable.length - hits.size();
        if (!pool.reserve(needed)) {
            hits.forEach(pool::release);
            return false;
        }
        for (int i = 0; i < hits.size(); i++) {
            s.blockTable[i] = hits.get(i);
        }
        s.blocksHeld = hits.size();
        s.reservedLeft = needed;
        s.hashedBlocks = hits.size();
        s.lastHash = parent;
        s.computed = hits.size() * blockSize;
        prefixHitTokens += s.computed;
        s.handle.cachedPromptTokens(s.computed);
        return true;
    }

    /** Decode rows for sequences past their prompt, then prompt chunks in admission order. */
    private void planStep() {
        batch.clear();
        for (Sequence s : running) {
            s.plannedRows = 0;
            s.logitsRow = -1;
            if (!s.prefilling()) {
                int position = s.computed;
                s.tokens[position] = s.generation.lastToken();
                addRow(s, position, true);
            }
        }
        int budget = config.maxStepTokens() - batch.size();
        for (Sequence s : running) {
            if (budget == 0) {
                break;
            }
            if (s.prefilling()) {
                int end = Math.min(s.promptLength, s.computed + budget);
                for (int position = s.computed; position < end; position++) {
                    addRow(s, position, position == s.promptLength - 1);
                }
                budget -= end - s.computed;
            }
        }
    }

    private void addRow(Sequence s, int position, boolean logits) {
        int block = position / pool.blockSize();
        if (block == s.blocksHeld) {
            s.blockTable[block] = pool.take();
            s.blocksHeld++;
            s.reservedLeft--;
        }
        int logitsRow = batch.add(s.tokens[position], position, s.blockTable, logits);
        if (logitsRow >= 0) {
            s.logitsRow = logitsRow;
        }
        s.plannedRows++;
    }

    /** Advances every sequence by the rows it had in the step and hands out its output. */
    private void finishStep() {
        steps++;
        forwardRows += batch.size();
        long now = System.nanoTime();
        for (Iterator<Sequence> it = running.iterator(); it.hasNext(); ) {
            Sequence s = it.next();
            if (s.plannedRows == 0) {
                continue;
            }
            s.computed += s.plannedRows;
            publishFullBlocks(s);
            if (s.logitsRow < 0) {
                continue; // a prompt chunk that does not reach the prompt's end
            }
            Delta delta = s.generation.advance(batchState.logits(s.logitsRow));
            deliver(s, delta, true);
            if (delta.isLast()) {
                it.remove();
                s.finished = true;
                completed++;
                recordDuration(s, now);
                releaseBlocks(s);
            }
        }
    }

    private void publishFullBlocks(Sequence s) {
        if (!config.prefixCaching()) {
            return;
        }
        int blockSize = pool.blockSize();
        while ((s.hashedBlocks + 1) * blockSize <= s.computed) {
            int from = s.hashedBlocks * blockSize;
            long hash = KvBlockPool.chain(s.lastHash, s.tokens, from, blockSize);
            pool.publish(s.blockTable[s.hashedBlocks], s.lastHash, hash, s.tokens, from);
            s.lastHash = hash;
            s.hashedBlocks++;
        }
    }

    private void deliver(Sequence s, Delta delta, boolean generated) {
        GenerationHandle handle = s.handle;
        int completionTokens = s.generation.usage().completionTokens();
        int token = s.generation.lastToken();
        long now = System.nanoTime();
        deliveries.add(() -> {
            try {
                if (generated) {
                    handle.tokenGenerated(delta, token, completionTokens, now);
                } else {
                    handle.deliver(delta, now);
                }
            } catch (RuntimeException e) {
                // A listener that throws loses its generation, not the scheduler.
                handle.cancel();
                handle.fail(e);
            }
        });
    }

    private void recordDuration(Sequence s, long now) {
        double seconds = (now - s.handle.submittedNanos()) / 1e9;
        meanRequestSeconds = 0.8 * meanRequestSeconds + 0.2 * seconds;
    }

    private void releaseBlocks(Sequence s) {
        for (int b = 0; b < s.blocksHeld; b++) {
            pool.release(s.blockTable[b]);
        }
        s.blocksHeld = 0;
        pool.unreserve(s.reservedLeft);
        s.reservedLeft = 0;
    }

    private void failRunning(Throwable error) {
        for (Sequence s : running) {
            s.finished = true;
            completed++;
            GenerationHandle handle = s.handle;
            deliveries.add(() -> handle.fail(error));
            releaseBlocks(s);
        }
        running.clear();
    }

    private void shutDown() {
        for (Sequence s : waiting) {
            endWithoutToken(s);
        }
        waiting.clear();
        for (Sequence s : running) {
            endWithoutToken(s);
            releaseBlocks(s);
        }
        running.clear();
    }
}
