package io.herd.engine.generate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GenerationTest {

    private static final List<String> VOCABULARY = List.of(
            "<unk>", "<s>", "</s>", "Hel", "lo", " wor", "ld", "!", "\u00e9", "x", "<|tag|>", "o w");

    private final FakeTokenizer tokenizer = new FakeTokenizer(VOCABULARY, Set.of("<unk>", "<s>", "</s>", "<|tag|>"),
            "<s>", "</s>", Set.of("</s>"));

    private int id(String piece) {
        return tokenizer.id(piece);
    }

    private ScriptedModel model(String... script) {
        return model(64, script);
    }

    private ScriptedModel model(int context, String... script) {
        int[] ids = new int[script.length];
        for (int i = 0; i < script.length; i++) {
            ids[i] = id(script[i]);
        }
        return new ScriptedModel(tokenizer, context, ids);
    }

    private static List<Delta> drain(Generation generation) {
        List<Delta> deltas = new ArrayList<>();
        Optional<Delta> delta;
        while ((delta = generation.next()).isPresent()) {
            deltas.add(delta.get());
        }
        return deltas;
    }

    private static String text(List<Delta> deltas) {
        return String.join("", deltas.stream().map(Delta::text).toList());
    }

    private final int[] prompt = {1, 9};

    @Test
    void computesNothingUntilPulledAndOneTokenPerPull() {
        ScriptedModel model = model("Hel", "lo", " wor", "ld", "</s>");
        Generation generation = new Generator(model).start(prompt, SamplingParameters.greedy(10));
        assertThat(model.prefillCalls).isZero();
        assertThat(model.statesCreated).isZero();

        assertThat(generation.next()).get().extracting(Delta::text).isEqualTo("Hel");
        assertThat(model.prefillCalls).isEqualTo(1);
        assertThat(model.forwardPositions).isEmpty();

        assertThat(generation.next()).get().extracting(Delta::text).isEqualTo("lo");
        assertThat(model.forwardPositions).containsExactly(2);
        assertThat(model.forwardTokens).containsExactly(id("Hel"));
    }

    @Test
    void stopTokenEndsGenerationWithoutItsText() {
        ScriptedModel model = model("Hel", "lo", "</s>", "x");
        Generation generation = new Generator(model).start(prompt, SamplingParameters.greedy(10));
        List<Delta> deltas = drain(generation);
        assertThat(text(deltas)).isEqualTo("Hello");
        assertThat(deltas.getLast().finishReason()).contains(FinishReason.STOP);
        assertThat(deltas.stream().filter(Delta::isLast)).hasSize(1);
        assertThat(generation.usage()).isEqualTo(new Usage(2, 3));
        assertThat(generation.next()).isEmpty();
        assertThat(model.statesClosed).isEqualTo(1);
        // Nothing is fed back after the stop token
        assertThat(model.forwardTokens).containsExactly(id("Hel"), id("lo"));
    }

    @Test
    void extraStopTokensAndSamplingStopIdsAlsoStop() {
        ScriptedModel model = model("Hel", "!", "lo");
        GenerationResult viaSampling = new Generator(model).complete(GenerationRequest.of(prompt,
                SamplingParameters.greedy(10).toBuilder().stopTokenIds(Set.of(id("!"))).build()));
        assertThat(viaSampling.text()).isEqualTo("Hel");
        assertThat(viaSampling.finishReason()).isEqualTo(FinishReason.STOP);

        GenerationResult viaRequest = new Generator(model(("Hel"), "!", "lo")).complete(
                GenerationRequest.of(prompt, SamplingParameters.greedy(10)).withExtraStopTokens(Set.of(id("!"))));
        assertThat(viaRequest.text()).isEqualTo("Hel");
    }

    @Test
    void maxTokensEndsWithLength() {
        ScriptedModel model = model("x");
        GenerationResult result = new Generator(model).complete(GenerationRequest.of(prompt, SamplingParameters.greedy(5)));
        assertThat(result.text()).isEqualTo("xxxxx");
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(result.usage()).isEqualTo(new Usage(2, 5));
        assertThat(model.forwardPositions).as("the last token is never fed back").containsExactly(2, 3, 4, 5);
        assertThat(model.lastStateLength).as("cache sized for prompt and feedback").isEqualTo(7);
    }

    @Test
    void fullContextEndsWithLength() {
        ScriptedModel model = model(6, "x");
        GenerationResult result = new Generator(model).complete(GenerationRequest.of(prompt, SamplingParameters.greedy(100)));
        assertThat(result.text()).isEqualTo("xxxxx");
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(model.forwardPositions).containsExactly(2, 3, 4, 5);
    }

    @Test
    void promptLongerThanContextFailsBeforeAnyWork() {
        ScriptedModel model = model(4, "x");
        assertThatThrownBy(() -> new Generator(model).start(new int[]{1, 9, 9, 9, 9}, SamplingParameters.greedy(5)))
                .isInstanceOfSatisfying(ContextLengthExceededException.class, e -> {
                    assertThat(e.promptTokens()).isEqualTo(5);
                    assertThat(e.contextLength()).isEqualTo(4);
                })
                .hasMessageContaining("5 tokens").hasMessageContaining("at most 4");
        assertThat(model.statesCreated).isZero();

        GenerationRequest smallerContext = GenerationRequest.of(prompt, SamplingParameters.greedy(5)).withContextLength(1);
        assertThatThrownBy(() -> new Generator(model(64, "x")).start(smallerContext))
                .isInstanceOf(ContextLengthExceededException.class).hasMessageContaining("at most 1");
    }

    @Test
    void rejectsPromptTokensOutsideTheVocabulary() {
        assertThatThrownBy(() -> new Generator(model("x")).start(new int[]{1, 99}, SamplingParameters.greedy(5)))
                .hasMessageContaining("prompt token 1 is 99");
    }

    @Test
    void stopStringSpanningTokensIsCaughtAndNeverEmitted() {
        // "Hel" "lo" " wor" "ld": the stop string "o wo" starts inside "lo" and ends inside " wor".
        ScriptedModel model = model("Hel", "lo", " wor", "ld", "</s>");
        SamplingParameters sampling = SamplingParameters.greedy(10).toBuilder().stop(List.of("o wo")).build();
        List<Delta> deltas = drain(new Generator(model).start(prompt, sampling));
        assertThat(text(deltas)).isEqualTo("Hell");
        assertThat(deltas).allSatisfy(d -> assertThat(d.text()).doesNotContain("o"));
        assertThat(deltas.getLast().finishReason()).contains(FinishReason.STOP);
    }

    @Test
    void heldBackPrefixIsReleasedWhenTheStopStringDoesNotFollow() {
        ScriptedModel model = model("Hel", "lo", "!", "</s>");
        SamplingParameters sampling = SamplingParameters.greedy(10).toBuilder().stop(List.of("o wo", "lo!?")).build();
        List<Delta> deltas = drain(new Generator(model).start(prompt, sampling));
        // "l" could start "lo!?", "lo" too, "lo!" as well; the end of generation releases it.
        assertThat(deltas.stream().map(Delta::text).toList()).containsExactly("He", "l", "lo!");
        assertThat(deltas.getLast().finishReason()).contains(FinishReason.STOP);
    }

    @Test
    void heldBackPrefixIsReleasedAtMaxTokens() {
        ScriptedModel model = model("Hel", "lo", " wor");
        SamplingParameters sampling = SamplingParameters.greedy(2).toBuilder().stop(List.of("o wo")).build();
        GenerationResult result = new Generator(model).complete(GenerationRequest.of(prompt, sampling));
        assertThat(result.text()).isEqualTo("Hello");
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void utf8SequenceSplitAcrossTokensComesOutWhole() {
        tokenizer.withBytes(id("\u00e9"), new byte[]{(byte) 0xC3}).withBytes(id("x"), new byte[]{(byte) 0xA9});
        ScriptedModel model = new ScriptedModel(tokenizer, 64, new int[]{8, 9, 3, 2});
        List<Delta> deltas = drain(new Generator(model).start(prompt, SamplingParameters.greedy(10)));
        assertThat(deltas.stream().map(Delta::text).toList()).containsExactly("\u00e9", "Hel", "");
    }

    @Test
    void specialTokensAreHiddenUnlessRequested() {
        int[] script = {id("<|tag|>"), id("x"), id("</s>")};
        GenerationResult hidden = new Generator(new ScriptedModel(tokenizer, 64, script))
                .complete(GenerationRequest.of(prompt, SamplingParameters.greedy(10)));
        assertThat(hidden.text()).isEqualTo("x");
        GenerationResult shown = new Generator(new ScriptedModel(tokenizer, 64, script))
                .complete(GenerationRequest.of(prompt, SamplingParameters.greedy(10)).withRenderSpecialTokens(true));
        assertThat(shown.text()).isEqualTo("<|tag|>x");
    }

    @Test
    void cancelStopsBeforeTheNextToken() {
        ScriptedModel model = model("x");
        Generation generation = new Generator(model).start(prompt, SamplingParameters.greedy(100));
        generation.next();
        generation.next();
        generation.cancel();
        Optional<Delta> last = generation.next();
        assertThat(last).get().satisfies(d -> {
            assertThat(d.finishReason()).contains(FinishReason.CANCELLED);
            assertThat(d.text()).isEmpty();
        });
        assertThat(generation.next()).isEmpty();
        assertThat(model.forwardPositions).hasSize(1);
        assertThat(generation.usage().completionTokens()).isEqualTo(2);
        assertThat(model.statesClosed).isEqualTo(1);
    }

    @Test
    void cancelFromAnotherThreadEndsAPullInProgress() throws Exception {
        java.util.concurrent.CountDownLatch firstDelta = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
        // "x" forever, but the stop string "xxxxy" keeps every "x" held back, so one pull would run to the limit.
        ScriptedModel model = new ScriptedModel(tokenizer, 100_000, new int[]{id("Hel"), id("x")}) {
            @Override
            public float[] forward(io.herd.engine.model.ModelState state, int token, int position) {
                if (position == 10) {
                    cancelled.countDown();
                }
                return super.forward(state, token, position);
            }
        };
        Generation generation = new Generator(model).start(prompt,
                SamplingParameters.greedy(90_000).toBuilder().stop(List.of("x".repeat(100_000 - 10) + "y")).build());
        var consumer = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            var all = consumer.submit(() -> {
                List<Delta> deltas = new ArrayList<>();
                Optional<Delta> delta;
                while ((delta = generation.next()).isPresent()) {
                    deltas.add(delta.get());
                    firstDelta.countDown();
                }
                return deltas;
            });
            assertThat(firstDelta.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(cancelled.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            generation.cancel();
            List<Delta> deltas = all.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(deltas.getLast().finishReason()).contains(FinishReason.CANCELLED);
            assertThat(deltas.getFirst().text()).isEqualTo("Hel");
            assertThat(text(deltas)).startsWith("Helxxxxxxxx").matches("Helx+");
            assertThat(generation.usage().completionTokens()).isLessThan(90_000);
        } finally {
            consumer.shutdownNow();
        }
    }

    @Test
    void cancelReleasesHeldBackText() {
        ScriptedModel model = model("Hel", "lo", " wor");
        Generation generation = new Generator(model).start(prompt,
                SamplingParameters.greedy(10).toBuilder().stop(List.of("o wo")).build());
        assertThat(generation.next()).get().extracting(Delta::text).isEqualTo("Hel");
        // "lo" ends in "o", a possible start of the stop string: held back, so the pull runs on
        generation.cancel();
        assertThat(generation.next()).get().extracting(Delta::text).isEqualTo("");
        assertThat(generation.finishReason()).contains(FinishReason.CANCELLED);
    }

    @Test
    void closingAnUnfinishedGenerationReleasesTheState() {
        ScriptedModel model = model("x");
        Generation generation = new Generator(model).start(prompt, SamplingParameters.greedy(100));
        generation.next();
        generation.close();
        assertThat(model.statesClosed).isEqualTo(1);
        assertThat(generation.finishReason()).contains(FinishReason.CANCELLED);
    }

    @Test
    void logprobsAreTheLogSoftmaxOfTheRawLogits() {
        ScriptedModel model = model("Hel", "</s>");
        SamplingParameters sampling = SamplingParameters.greedy(10).toBuilder().logprobs(true).topLogprobs(2).build();
        GenerationResult result = new Generator(model).complete(GenerationRequest.of(prompt, sampling));
        // The scripted logits are 10 for one token and 0 for the other 11.
        double chosen = 10 - Math.log(Math.exp(10) + 11);
        double other = 0 - Math.log(Math.exp(10) + 11);
        assertThat(result.logprobs()).hasSize(1);
        TokenLogprob first = result.logprobs().getFirst();
        assertThat(first.token()).isEqualTo(id("Hel"));
        assertThat(first.text()).isEqualTo("Hel");
        assertThat(first.logprob()).isCloseTo(chosen, within(1e-6));
        assertThat(first.topLogprobs()).hasSize(2);
        assertThat(first.topLogprobs().get(0).token()).isEqualTo(id("Hel"));
        assertThat(first.topLogprobs().get(1).logprob()).isCloseTo(other, within(1e-6));
    }

    @Test
    void logprobsOfTokensInsideAStopStringAreDropped() {
        ScriptedModel model = model("Hel", "lo", " wor", "ld");
        SamplingParameters sampling = SamplingParameters.greedy(10).toBuilder().logprobs(true).stop(List.of(" wor")).build();
        GenerationResult result = new Generator(model).complete(GenerationRequest.of(prompt, sampling));
        assertThat(result.text()).isEqualTo("Hello");
        assertThat(result.logprobs()).extracting(TokenLogprob::text).containsExactly("Hel", "lo");
    }
}
