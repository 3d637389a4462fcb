package io.herd.gateway.safety;

import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionChunk.ChunkChoice;
import io.herd.api.inference.ChatCompletionChunk.Delta;
import io.herd.api.inference.FinishReason;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One streamed chat answer passing the output shields: content deltas are held back, and each window of text is
 * released (as one delta) only after the shields passed everything up to it. Non-content chunks (role, tool calls,
 * usage) pass through in order; the finish chunk waits for the final check. A blocking violation sends the refusal
 * as a delta, ends the choice with {@code content_filter} and cancels the generation. Not thread-safe: one per stream.
 */
final class ShieldedStream {

    private final Function<String, Mono<ShieldRunner.Verdict>> check;
    private final StreamWindow window;
    private final StringBuilder raw = new StringBuilder();
    private int releasedRaw;
    private String releasedOut = "";
    private boolean refused;

    ShieldedStream(Function<String, Mono<ShieldRunner.Verdict>> check, StreamWindow window) {
        this.check = check;
        this.window = window;
    }

    Flux<ChatCompletionChunk> apply(Flux<ChatCompletionChunk> upstream) {
        return upstream
                .concatMap(this::onChunk)
                .takeUntil(chunk -> refused && isFinish(chunk));
    }

    private Flux<ChatCompletionChunk> onChunk(ChatCompletionChunk chunk) {
        if (refused) {
            return Flux.empty();
        }
        if (chunk.choices().isEmpty()) {
            return Flux.just(chunk);
        }
        ChunkChoice choice = chunk.choices().getFirst();
        Delta delta = choice.delta();
        String content = delta == null ? null : delta.content();
        boolean finish = choice.finishReason() != null;
        if (content != null && !content.isEmpty()) {
            raw.append(content);
        }
        boolean onlyContent = delta != null && delta.role() == null && delta.toolCalls() == null && delta.refusal() == null
                && delta.reasoningContent() == null;
        Flux<ChatCompletionChunk> passThrough = onlyContent && !finish ? Flux.empty()
                : Flux.just(withoutContent(chunk, choice));
        int cut = finish ? (raw.length() > releasedRaw ? raw.length() : -1) : window.nextCut(raw, releasedRaw);
        if (cut < 0) {
            return finish ? finalCheck(chunk, passThrough) : passThrough;
        }
        return release(chunk, cut).concatWith(finish ? Flux.defer(() -> refused ? Flux.empty() : passThrough) : passThrough);
    }

    /** The finish chunk of an answer whose text was all released already: checked once more is unnecessary. */
    private Flux<ChatCompletionChunk> finalCheck(ChatCompletionChunk chunk, Flux<ChatCompletionChunk> passThrough) {
        return passThrough;
    }

    private Flux<ChatCompletionChunk> release(ChatCompletionChunk template, int cut) {
        String candidate = raw.substring(0, cut);
        return check.apply(candidate).flatMapMany(verdict -> {
            if (verdict.blocks()) {
                refused = true;
                return Flux.just(
                        contentChunk(template, verdict.blocking().userMessage(), null),
                        contentChunk(template, null, FinishReason.CONTENT_FILTER));
            }
            String out = verdict.redacted() != null && !verdict.redacted().isEmpty()
                    ? verdict.redacted().getLast().text() : candidate;
            String delta = out.length() > releasedOut.length() && out.startsWith(releasedOut)
                    ? out.substring(releasedOut.length()) : out.substring(Math.min(out.length(), releasedOut.length()));
            releasedRaw = cut;
            releasedOut = out;
            return delta.isEmpty() ? Flux.empty() : Flux.just(contentChunk(template, delta, null));
        });
    }

    private static ChatCompletionChunk contentChunk(ChatCompletionChunk template, String text, String finishReason) {
        Delta delta = text == null ? Delta.empty() : Delta.content(text);
        return new ChatCompletionChunk(template.id(), template.object(), template.created(), template.model(),
                List.of(new ChunkChoice(0, delta, finishReason)), null, template.systemFingerprint());
    }

    private static ChatCompletionChunk withoutContent(ChatCompletionChunk chunk, ChunkChoice choice) {
        Delta d = choice.delta();
        if (d == null || d.content() == null) {
            return chunk;
        }
        List<ChunkChoice> choices = new ArrayList<>(chunk.choices());
        choices.set(0, new ChunkChoice(choice.index(), new Delta(d.role(), null, d.toolCalls(), d.refusal(), d.reasoningContent()),
                choice.finishReason(), choice.logprobs()));
        return new ChatCompletionChunk(chunk.id(), chunk.object(), chunk.created(), chunk.model(), choices, chunk.usage(),
                chunk.systemFingerprint());
    }

    private static boolean isFinish(ChatCompletionChunk chunk) {
        return !chunk.choices().isEmpty() && FinishReason.CONTENT_FILTER.equals(chunk.choices().getFirst().finishReason());
    }
}
