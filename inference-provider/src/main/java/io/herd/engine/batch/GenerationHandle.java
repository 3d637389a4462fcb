package io.herd.engine.batch;

import io.herd.engine.generate.Delta;
import io.herd.engine.generate.FinishReason;
import io.herd.engine.generate.GenerationResult;
import io.herd.engine.generate.TokenLogprob;
import io.herd.engine.generate.Usage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A request submitted to a {@link BatchScheduler}. Output is delivered to the listener given at submit
 * time, or, without one, buffered here for {@link #next()} (pull-style). {@link #cancel()} may be called
 * from any thread: the sequence stops before its next token and its KV blocks are freed.
 */
public final class GenerationHandle implements AutoCloseable {

    /** Marks a failure in the pull queue. */
    private record Failure(Throwable error) {
    }

    private final long id;
    private final int promptTokens;
    private final GenerationListener listener;
    private final LinkedBlockingQueue<Object> pulled;
    private final Runnable wakeScheduler;
    private final long submittedNanos;
    private volatile boolean cancelRequested;
    private volatile boolean done;
    private volatile boolean failed;
    private volatile FinishReason finishReason;
    private volatile int completionTokens;
    private volatile long firstTokenNanos;
    private volatile long finishedNanos;
    private volatile int cachedPromptTokens;
    private boolean lastPulled;
    private int[] generated = new int[16];
    private int generatedCount;

    GenerationHandle(long id, int promptTokens, GenerationListener listener, Runnable wakeScheduler) {
        this.id = id;
        this.promptTokens = promptTokens;
        this.listener = listener;
        this.pulled = listener == null ? new LinkedBlockingQueue<>() : null;
        this.wakeScheduler = wakeScheduler;
        this.submittedNanos = System.nanoTime();
    }

    public long id() {
        return id;
    }

    /**
     * Waits for the next piece of output; empty after the last one (which carries the finish reason).
     * Only for handles submitted without a listener.
     *
     * @throws GenerationFailedException when the forward pass failed
     */
    public Optional<Delta> next() throws InterruptedException {
        return next(Long.MAX_VALUE, TimeUnit.NANOSECONDS).orElseThrow();
    }

    /** As {@link #next()}, giving up after {@code timeout}: empty outer optional means no output yet. */
    public Optional<Optional<Delta>> next(long timeout, TimeUnit unit) throws InterruptedException {
        if (pulled == null) {
            throw new IllegalStateException("this generation delivers its output to a listener");
        }
        if (lastPulled) {
            return Optional.of(Optional.empty());
        }
        Object item = timeout == Long.MAX_VALUE ? pulled.take() : pulled.poll(timeout, unit);
        if (item == null) {
            return Optional.empty();
        }
        if (item instanceof Failure failure) {
            lastPulled = true;
            throw new GenerationFailedException(failure.error());
        }
        Delta delta = (Delta) item;
        lastPulled = delta.isLast();
        return Optional.of(Optional.of(delta));
    }

    /** Waits for the end and returns everything (pull-style handles only). */
    public GenerationResult collect() throws InterruptedException {
        StringBuilder text = new StringBuilder();
        List<TokenLogprob> logprobs = new ArrayList<>();
        Optional<Delta> delta;
        while ((delta = next()).isPresent()) {
            text.append(delta.get().text());
            logprobs.addAll(delta.get().logprobs());
        }
        return new GenerationResult(text.toString(), finishReason, usage(), logprobs);
    }

    /** Stops the generation before its next token; the last delta reports {@link FinishReason#CANCELLED}. */
    public void cancel() {
        if (!done) {
            cancelRequested = true;
            wakeScheduler.run();
        }
    }

    public boolean isDone() {
        return done;
    }

    public Optional<FinishReason> finishReason() {
        return Optional.ofNullable(finishReason);
    }

    public Usage usage() {
        return new Usage(promptTokens, completionTokens);
    }

    /** The ids generated so far, a final stop token included. */
    public synchronized int[] generatedTokens() {
        return java.util.Arrays.copyOf(generated, generatedCount);
    }

    /** Prompt tokens whose keys and values came from the prefix cache. */
    public int cachedPromptTokens() {
        return cachedPromptTokens;
    }

    /** Nanoseconds from submission to the first generated token; -1 before it. */
    public long timeToFirstTokenNanos() {
        long first = firstTokenNanos;
        return first == 0 ? -1 : first - submittedNanos;
    }

    /** Nanoseconds from the first generated token to the last; -1 before the end. */
    public long decodeNanos() {
        long first = firstTokenNanos;
        long end = finishedNanos;
        return first == 0 || end == 0 ? -1 : end - first;
    }

    @Override
    public void close() {
        cancel();
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    long submittedNanos() {
        return submittedNanos;
    }

    void cachedPromptTokens(int tokens) {
        cachedPromptTokens = tokens;
    }

    /** Scheduler thread: one token was generated and produced {@code delta}. */
    void tokenGenerated(Delta delta, int token, int completionTokens, long now) {
        if (firstTokenNanos == 0) {
            firstTokenNanos = now;
        }
        synchronized (this) {
            if (generatedCount == generated.length) {
                generated = java.util.Arrays.copyOf(generated, generatedCount * 2);
            }
            generated[generatedCount++] = token;
        }
        this.completionTokens = completionTokens;
        deliver(delta, now);
    }

    /** Scheduler thread: the generation ended without a new token (cancelled, shut down). */
    void deliver(Delta delta, long now) {
        if (failed) {
            return;
        }
        if (delta.isLast()) {
            finishReason = delta.finishReason().orElseThrow();
            finishedNanos = now;
            done = true;
        }
        if (!delta.isLast() && delta.text().isEmpty() && delta.logprobs().isEmpty()) {
            return; // a token whose text is held back (possible stop string, incomplete character)
        }
        if (listener != null) {
            listener.onDelta(delta);
        } else {
            pulled.add(delta);
        }
    }

    void fail(Throwable error) {
        if (done) {
            return;
        }
        failed = true;
        done = true;
        finishedNanos = System.nanoTime();
        if (listener != null) {
            listener.onError(error);
        } else {
            pulled.add(new Failure(error));
        }
    }
}
