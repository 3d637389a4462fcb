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

    private final Function<String, Mono<ShieldRunner.Verdict>> check;
    private final StreamWindow window;
    private final StringBuilder raw = new StringBuilder();
    private int releasedRaw;
    private String releasedOut = "";
    private boolean refused;

    ShieldedCompletionStream(Function<String, Mono<ShieldRunner.Verdict>> check, StreamWindow window) {
        this.check = check;
        this.window = window;
    }

    Flux<Completion> apply(Flux<Completion> upstream) {
        return upstream
                .concatMap(this::onEvent)
                .takeUntil(event -> refused && isContentFilter(event));
    }

    private Flux<Completion> onEvent(Completion event) {
        if (refused) {
            return Flux.empty();
        }
        if (event.choices().isEmpty()) {
            return Flux.just(event); // usage-only event
        }
        Completion.CompletionChoice choice = event.choices().getFirst();
        if (choice.text() != null) {
            raw.append(choice.text());
        }
        boolean finish = choice.finishReason() != null;
        int cut = finish ? (raw.length() > releasedRaw ? raw.length() : -1) : window.nextCut(raw, releasedRaw);
        Flux<Completion> finishEvent = finish ? Flux.just(withText(event, "", choice.finishReason())) : Flux.empty();
        if (cut < 0) {
            return finishEvent;
        }
        return release(event, cut).concatWith(Flux.defer(() -> refused ? Flux.empty() : finishEvent));
    }

    private Flux<Completion> release(Completion template, int cut) {
        String candidate = raw.substring(0, cut);
        return check.apply(candidate).flatMapMany(verdict -> {
            if (verdict.blocks()) {
                refused = true;
                return Flux.just(withText(template, verdict.blocking().userMessage(), FinishReason.CONTENT_FILTER));
            }
            String out = verdict.redacted() != null && !verdict.redacted().isEmpty()
                    ? verdict.redacted().getLast().text() : candidate;
            String delta = out.length() > releasedOut.length() && out.startsWith(releasedOut)
                    ? out.substring(releasedOut.length()) : out.substring(Math.min(out.length(), releasedOut.length()));
            releasedRaw = cut;
            releasedOut = out;
            return delta.isEmpty() ? Flux.empty() : Flux.just(withText(template, delta, null));
        });
    }

    private static Completion withText(Completion template, String text, String finishReason) {
        return new Completion(template.id(), template.object(), template.created(), template.model(),
                List.of(new Completion.CompletionChoice(0, text, finishReason)), finishReason == null ? null : template.usage(),
                template.systemFingerprint());
    }

    private static boolean isContentFilter(Completion event) {
        return !event.choices().isEmpty() && FinishReason.CONTENT_FILTER.equals(event.choices().getFirst().finishReason());
    }
}
