package io.herd.gateway.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.FinishReason;
import io.herd.api.safety.SafetyViolation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/** Streamed text completions are released in checked windows, redacted, or cut off with content_filter. */
class ShieldedCompletionStreamTest {

    private final List<String> checked = new ArrayList<>();

    /** Blocks "rm -rf", redacts "secret", passes the rest: the shape of what the shield runner answers. */
    private Mono<ShieldRunner.Verdict> check(String text) {
        checked.add(text);
        if (text.contains("rm -rf")) {
            return Mono.just(new ShieldRunner.Verdict("code-scanner",
                    SafetyViolation.error("Sorry, I found security concerns in the code.", Map.of()), List.of(), null));
        }
        if (text.contains("secret")) {
            return Mono.just(new ShieldRunner.Verdict(null, null, List.of(),
                    List.of(ChatMessage.assistant(text.replace("secret", "[REDACTED]")))));
        }
        return Mono.just(new ShieldRunner.Verdict(null, null, List.of(), null));
    }

    private static Completion event(String text, String finish) {
        return new Completion("cmpl-1", "text_completion", 1L, "m", List.of(new Completion.CompletionChoice(0, text, finish)),
                null, null);
    }

    private static String text(Completion c) {
        return c.choices().getFirst().text();
    }

    @Test
    void releasesWindowsBeforeTheGenerationEnds() {
        TestPublisher<Completion> upstream = TestPublisher.create();
        var stream = new ShieldedCompletionStream(this::check, new StreamWindow(false, 16)).apply(upstream.flux());
        StepVerifier.create(stream)
                .then(() -> {
                    for (String word : "one two three four five six ".split("(?<= )")) {
                        upstream.next(event(word, null));
                    }
                })
                // the first window arrives while the model is still generating
                .assertNext(e -> assertThat(text(e)).isEqualTo("one two three four "))
                .then(() -> {
                    upstream.next(event("seven", null));
                    upstream.next(event(" eight", FinishReason.STOP));
                    upstream.complete();
                })
                .assertNext(e -> assertThat(text(e)).isEqualTo("five six seven eight"))
                .assertNext(e -> assertThat(e.choices().getFirst().finishReason()).isEqualTo(FinishReason.STOP))
                .verifyComplete();
        assertThat(checked).containsExactly("one two three four ", "one two three four five six seven eight");
    }

    @Test
    void violationEndsWithTheRefusalAndContentFilterAndCancelsTheGeneration() {
        TestPublisher<Completion> upstream = TestPublisher.createCold();
        var stream = new ShieldedCompletionStream(this::check, new StreamWindow(false, 8)).apply(upstream.flux());
        upstream.next(event("import os; ", null), event("os.system('rm -rf /') ", null), event("and more text here ", null),
                event("never sent", FinishReason.STOP));
        List<Completion> events = stream.collectList().block(Duration.ofSeconds(5));
        Completion last = events.getLast();
        assertThat(text(last)).isEqualTo("Sorry, I found security concerns in the code.");
        assertThat(last.choices().getFirst().finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
        assertThat(events).noneMatch(e -> text(e).contains("rm -rf") || text(e).contains("never sent"));
        upstream.assertWasCancelled();
    }

    @Test
    void redactedWindowsAreSentRedacted() {
        var events = new ShieldedCompletionStream(this::check, new StreamWindow(false, 8))
                .apply(reactor.core.publisher.Flux.just(event("the secret word ", null), event("is out", FinishReason.STOP)))
                .collectList().block(Duration.ofSeconds(5));
        StringBuilder all = new StringBuilder();
        events.forEach(e -> all.append(text(e)));
        assertThat(all.toString()).isEqualTo("the [REDACTED] word is out");
        assertThat(events.getLast().choices().getFirst().finishReason()).isEqualTo(FinishReason.STOP);
    }
}
