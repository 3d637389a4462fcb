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

    private final HeldBackText text;

    ShieldedStream(Function<String, Mono<ShieldRunner.Verdict>> check, StreamWindow window) {
        this.text = new HeldBackText(check, window);
    }

    Flux<ChatCompletionChunk> apply(Flux<ChatCompletionChunk> upstream) {
        return upstream
                .concatMap(this::onChunk)
                .takeUntil(chunk -> text.refused() && isFinish(chunk));
    }

    private Flux<ChatCompletionChunk> onChunk(ChatCompletionChunk chunk) {
        if (text.refused()) {
            return Flux.empty();
        }
        if (chunk.choices().isEmpty()) {
            return Flux.just(chunk);
        }
        ChunkChoice choice = chunk.choices().getFirst();
        Delta delta = choice.delta();
        String content = delta == null ? null : delta.content();
        boolean finish = choice.finishReason() != null;
        text.append(content);
        boolean onlyContent = delta != null && delta.role() == null && delta.toolCalls() == null && delta.refusal() == null
                && delta.reasoningContent() == null;
        Flux<ChatCompletionChunk> passThrough = onlyContent && !finish ? Flux.empty()
                : Flux.just(withoutContent(chunk, choice));
        int cut = text.nextCut(finish);
        if (cut < 0) {
            // the finish chunk of an answer whose text was all released already needs no further check
            return passThrough;
        }
        return release(chunk, cut).concatWith(finish ? Flux.defer(() -> text.refused() ? Flux.empty() : passThrough) : passThrough);
    }

    private Flux<ChatCompletionChunk> release(ChatCompletionChunk template, int cut) {
        return text.release(cut).flatMapMany(release -> {
            if (release.refused()) {
                return Flux.just(
                        contentChunk(template, release.refusal(), null),
                        contentChunk(template, null, FinishReason.CONTENT_FILTER));
            }
            return release.delta().isEmpty() ? Flux.empty() : Flux.just(contentChunk(template, release.delta(), null));
        });
    }

    private static ChatCompletionChunk contentChunk(ChatCompletionChunk template, String content, String finishReason) {
        Delta delta = content == null ? Delta.empty() : Delta.content(content);
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
