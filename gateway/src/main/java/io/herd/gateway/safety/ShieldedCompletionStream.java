package io.herd.gateway.safety;

import io.herd.api.inference.Completion;
import io.herd.api.inference.FinishReason;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One streamed text completion ({@code /v1/completions} with {@code stream: true}) passing the output shields, the
 * way {@link ShieldedStream} does it for chat: text is held back and each window is released, as one event, only after
 * the shields passed everything up to it. The finish event waits for the last check. A blocking violation sends the
 * refusal as the last text with {@code finish_reason: content_filter} and cancels the generation. Not thread-safe:
 * one per stream.
 */
final class ShieldedCompletionStream {

    private final HeldBackText text;

    ShieldedCompletionStream(Function<String, Mono<ShieldRunner.Verdict>> check, StreamWindow window) {
        this.text = new HeldBackText(check, window);
    }

    Flux<Completion> apply(Flux<Completion> upstream) {
        return upstream
                .concatMap(this::onEvent)
                .takeUntil(event -> text.refused() && isContentFilter(event));
    }

    private Flux<Completion> onEvent(Completion event) {
        if (text.refused()) {
            return Flux.empty();
        }
        if (event.choices().isEmpty()) {
            return Flux.just(event); // usage-only event
        }
        Completion.CompletionChoice choice = event.choices().getFirst();
        text.append(choice.text());
        boolean finish = choice.finishReason() != null;
        int cut = text.nextCut(finish);
        Flux<Completion> finishEvent = finish ? Flux.just(withText(event, "", choice.finishReason())) : Flux.empty();
        if (cut < 0) {
            return finishEvent;
        }
        return release(event, cut).concatWith(Flux.defer(() -> text.refused() ? Flux.empty() : finishEvent));
    }

    private Flux<Completion> release(Completion template, int cut) {
        return text.release(cut).flatMapMany(release -> {
            if (release.refused()) {
                return Flux.just(withText(template, release.refusal(), FinishReason.CONTENT_FILTER));
            }
            return release.delta().isEmpty() ? Flux.empty() : Flux.just(withText(template, release.delta(), null));
        });
    }

    private static Completion withText(Completion template, String content, String finishReason) {
        return new Completion(template.id(), template.object(), template.created(), template.model(),
                List.of(new Completion.CompletionChoice(0, content, finishReason)), finishReason == null ? null : template.usage(),
                template.systemFingerprint());
    }

    private static boolean isContentFilter(Completion event) {
        return !event.choices().isEmpty() && FinishReason.CONTENT_FILTER.equals(event.choices().getFirst().finishReason());
    }
}
