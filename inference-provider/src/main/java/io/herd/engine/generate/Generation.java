package io.herd.engine.generate;

import io.herd.engine.model.LanguageModel;
import io.herd.engine.model.ModelState;
import io.herd.engine.tokenizer.StreamingDecoder;
import io.herd.engine.tokenizer.Tokenizer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One running generation, pulled token by token: nothing is computed until {@link #next()} is called,
 * so a slow consumer holds the model back rather than buffering output. Text that might be the start
 * of a stop string is held back until it is clearly not one; a stop string itself is never emitted.
 * {@link #cancel()} may be called from any thread and takes effect before the next token.
 * Apart from {@code cancel}, use from one thread at a time.
 */
public final class Generation implements AutoCloseable {

    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final int[] prompt;
    private final SamplingParameters sampling;
    private final Set<Integer> stopTokens;
    private final int contextLength;
    private final int stateLength;
    private final Sampler sampler;
    private final LogSoftmax logSoftmax;
    private final StreamingDecoder decoder;
    private final StringBuilder pending = new StringBuilder();
    private final ArrayDeque<PendingLogprob> pendingLogprobs = new ArrayDeque<>();
    private final int longestStop;

    private volatile boolean cancelRequested;
    private ModelState state;
    private float[] logits;
    private int lastToken = -1;
    private int completionTokens;
    private FinishReason finishReason;
    private boolean finalDeltaSent;
    private long prefillNanos;

    private record PendingLogprob(TokenLogprob logprob, int start) {
    }

    Generation(LanguageModel model, GenerationRequest request) {
        this(model, model.tokenizer(), model.vocabularySize(), model.maxContextLength(), request);
    }

    private Generation(LanguageModel model, Tokenizer tokenizer, int vocabularySize, int modelContext,
                       GenerationRequest request) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.prompt = request.promptTokens();
        this.sampling = request.sampling();
        this.contextLength = request.contextLength() == 0 ? modelContext : Math.min(request.contextLength(), modelContext);
        if (prompt.length > contextLength) {
            throw new ContextLengthExceededException(prompt.length, contextLength);
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocabularySize) {
                throw new IllegalArgumentException("prompt token " + i + " is " + prompt[i]
                        + ", outside the vocabulary of " + vocabularySize);
            }
        }
        // The KV cache only needs room for the prompt and the tokens that may still be fed back.
        this.stateLength = (int) Math.min(contextLength, (long) prompt.length + sampling.maxTokens());
        Set<Integer> stops = new HashSet<>(tokenizer.stopTokens());
        stops.addAll(sampling.stopTokenIds());
        stops.addAll(request.extraStopTokens());
        this.stopTokens = Set.copyOf(stops);
        this.decoder = new StreamingDecoder(tokenizer, request.renderSpecialTokens());
        this.sampler = new Sampler(sampling, vocabularySize, prompt);
        this.logSoftmax = sampling.logprobs() ? new LogSoftmax(tokenizer, vocabularySize, sampling.topLogprobs()) : null;
        this.longestStop = sampling.stop().stream().mapToInt(String::length).max().orElse(0);
    }

    /**
     * Computes tokens until there is text to hand out or the generation ends. Returns the delta,
     * the last one carrying the finish reason; afterwards empty.
     */
    public Optional<Delta> next() {
        if (finalDeltaSent) {
            return Optional.empty();
        }
        List<TokenLogprob> logprobs = new ArrayList<>();
        while (finishReason == null) {
            if (cancelRequested) {
                finish(FinishReason.CANCELLED);
                return Optional.of(finalDelta(flushAll(logprobs), logprobs));
            }
            advanceModel();
            String emitted = step(logprobs);
            if (finishReason == null && !emitted.isEmpty()) {
                return Optional.of(new Delta(emitted, logprobs, Optional.empty()));
            }
            if (finishReason != null) {
                return Optional.of(finalDelta(emitted, logprobs));
            }
        }
        return Optional.of(finalDelta("", logprobs));
    }

    /**
     * A generation driven from outside (push-style) by a caller that computes the logits itself, such as a
     * scheduler that batches many sequences into one forward pass: see {@link #advance}. {@link #next()} is
     * not available on it.
     */
    public static Generation driven(Tokenizer tokenizer, int vocabularySize, int modelContextLength, GenerationRequest request) {
        return new Generation(null, tokenizer, vocabularySize, modelContextLength, request);
    }

    /**
     * Push-style step: samples the next token from {@code logits} (the model's output after the prompt and
     * every token so far), applies the stop rules and returns what may be handed out now. The text may be
     * empty while a possible stop string is held back; the delta that carries a finish reason is the last.
     * Once {@link #cancel()} was called nothing is sampled ({@code logits} may be null) and the delta
     * reports {@link FinishReason#CANCELLED}.
     */
    public Delta advance(float[] logits) {
        if (finalDeltaSent) {
            throw new IllegalStateException("the generation has finished");
        }
        List<TokenLogprob> logprobs = new ArrayList<>();
        if (cancelRequested) {
            finish(FinishReason.CANCELLED);
            return finalDelta(flushAll(logprobs), logprobs);
        }
        this.logits = logits;
        String emitted = step(logprobs);
        return finishReason != null ? finalDelta(emitted, logprobs) : new Delta(emitted, logprobs, Optional.empty());
    }

    /** The token sampled last, which a push-style driver feeds to the model next; -1 before the first. */
    public int lastToken() {
        return lastToken;
    }

    /** Asks the generation to stop before its next token; the next {@link #next()} reports {@link FinishReason#CANCELLED}. */
    public void cancel() {
        cancelRequested = true;
    }

    /** Runs the generation to its end and collects the output. */
    public GenerationResult collect() {
        StringBuilder text = new StringBuilder();
        List<TokenLogprob> logprobs = new ArrayList<>();
        Optional<Delta> delta;
        while ((delta = next()).isPresent()) {
            text.append(delta.get().text());
            logprobs.addAll(delta.get().logprobs());
        }
        return new GenerationResult(text.toString(), finishReason, usage(), logprobs);
    }

    public Usage usage() {
        return new Usage(prompt.length, completionTokens);
    }

    /** Why the generation ended, once it has. */
    public Optional<FinishReason> finishReason() {
        return Optional.ofNullable(finishReason);
    }

    /** Time spent feeding the prompt, for speed reports. */
    public long prefillNanos() {
        return prefillNanos;
    }

    @Override
    public void close() {
        if (finishReason == null) {
            finish(FinishReason.CANCELLED);
        }
        releaseState();
    }

    /** Samples one token and returns the text that may be handed out now. */
    private String step(List<TokenLogprob> logprobs) {
        int token = sampler.sample(logits);
        sampler.accept(token);
        completionTokens++;
        lastToken = token;
        if (logSoftmax != null) {
            pendingLogprobs.add(new PendingLogprob(logSoftmax.of(logits, token), pending.length()));
        }
        if (stopTokens.contains(token)) {
            pendingLogprobs.pollLast(); // the stop token is not part of the returned text
            finish(FinishReason.STOP);
            return flushAll(logprobs);
        }
        pending.append(decoder.accept(token));
        int stopAt = findStopString();
        if (stopAt >= 0) {
            finish(FinishReason.STOP);
            return emit(stopAt, logprobs);
        }
        if (completionTokens >= sampling.maxTokens() || prompt.length + completionTokens > contextLength) {
            finish(FinishReason.LENGTH);
            return flushAll(logprobs);
        }
        return emit(pending.length() - heldBackLength(), logprobs);
    }

    private void advanceModel() {
        if (model == null) {
            throw new IllegalStateException("this generation is driven by its caller: use advance(logits)");
        }
        if (state == null) {
            long start = System.nanoTime();
            state = model.newState(stateLength);
            logits = model.prefill(state, prompt, 0);
            prefillNanos = System.nanoTime() - start;
        } else {
            logits = model.forward(state, lastToken, prompt.length + completionTokens - 1);
        }
    }

    private int findStopString() {
        if (longestStop == 0) {
            return -1;
        }
        int earliest = -1;
        for (String stop : sampling.stop()) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        return earliest;
    }

    /** Length of the longest suffix of the pending text that could still grow into a stop string. */
    private int heldBackLength() {
        int longest = 0;
        String text = pending.toString();
        for (String stop : sampling.stop()) {
            int max = Math.min(stop.length() - 1, pending.length());
            for (int length = max; length > longest; length--) {
                if (text.regionMatches(text.length() - length, stop, 0, length)) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }

    private String flushAll(List<TokenLogprob> logprobs) {
        pending.append(decoder.flush());
        pendingLogprobs.forEach(p -> logprobs.add(p.logprob()));
        pendingLogprobs.clear();
        String text = pending.toString();
        pending.setLength(0);
        return text;
    }

    /** Hands out the first {@code end} pending characters and the log probabilities of the tokens that started in them. */
    private String emit(int end, List<TokenLogprob> logprobs) {
        while (!pendingLogprobs.isEmpty() && pendingLogprobs.peekFirst().start() < end) {
            logprobs.add(pendingLogprobs.pollFirst().logprob());
        }
        if (finishReason == FinishReason.STOP) {
            pendingLogprobs.clear(); // tokens that only made up the stop string
        }
        String text = pending.substring(0, end);
        pending.delete(0, end);
        if (end > 0 && !pendingLogprobs.isEmpty()) {
            ArrayDeque<PendingLogprob> shifted = new ArrayDeque<>();
            for (PendingLogprob p : pendingLogprobs) {
                shifted.add(new PendingLogprob(p.logprob(), p.start() - end));
            }
            pendingLogprobs.clear();
            pendingLogprobs.addAll(shifted);
        }
        return text;
    }

    private Delta finalDelta(String text, List<TokenLogprob> logprobs) {
        finalDeltaSent = true;
        return new Delta(text, logprobs, Optional.of(finishReason));
    }

    private void finish(FinishReason reason) {
        finishReason = reason;
        releaseState();
    }

    private void releaseState() {
        if (state != null) {
            state.close();
            state = null;
        }
    }
}
