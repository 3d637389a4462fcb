package io.herd.engine.chat;

import io.herd.engine.generate.FakeTokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatFormatsTest {

    private static final FakeTokenizer LLAMA2_VOCAB = new FakeTokenizer(List.of("<unk>", "<s>", "</s>", "a"),
            Set.of("<unk>", "<s>", "</s>"), "<s>", "</s>", Set.of("</s>"));
    private static final FakeTokenizer LLAMA3_VOCAB = new FakeTokenizer(
            List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>", "a", "user", "assistant", "\n\n"),
            Set.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|eom_id|>"),
            "<|begin_of_text|>", "<|end_of_text|>", Set.of("<|end_of_text|>", "<|eot_id|>"));

    @Test
    void headerTokenInTheVocabularyMeansLlama3() {
        assertThat(ChatFormats.detect(Optional.empty(), LLAMA3_VOCAB).name()).isEqualTo("llama3.1");
        assertThat(ChatFormats.detect(Optional.empty(), LLAMA2_VOCAB).name()).isEqualTo("llama2");
    }

    @Test
    void templateDecidesTheLlama3Variant() {
        assertThat(ChatFormats.detect(Optional.of("{{ '<|start_header_id|>' }} ... [func_name1(params_name1=params_value1 ..."), LLAMA2_VOCAB)
                .name()).isEqualTo("llama3.2");
        assertThat(ChatFormats.detect(Optional.of("{% for m in messages %}[INST]{% endfor %}"), LLAMA2_VOCAB).name())
                .isEqualTo("llama2");
    }

    @Test
    void stopTokensResolveThroughTheTokenizer() {
        ChatFormat llama3 = ChatFormats.byName("llama3");
        assertThat(llama3.stopTokens(LLAMA3_VOCAB)).containsExactlyInAnyOrder(4, 5, 1);
        assertThat(ChatFormats.byName("llama2").stopTokens(LLAMA2_VOCAB)).containsExactly(2);
    }

    @Test
    void encodeParsesSpecialTokensWithoutAddingBos() {
        int[] ids = ChatFormats.byName("llama3").encode(LLAMA3_VOCAB, List.of(ChatMessage.user("a")), List.of());
        assertThat(ids).containsExactly(0, 2, 7, 3, 9, 6, 4, 2, 8, 3, 9);
        assertThat(java.util.Arrays.stream(ids).filter(id -> id == 0).count()).isEqualTo(1);
    }

    @Test
    void generationRequestStopsAtEndOfTurnAndKeepsSpecialTokenText() {
        var request = ChatFormats.byName("llama3").generationRequest(LLAMA3_VOCAB, List.of(ChatMessage.user("a")), List.of(),
                io.herd.engine.generate.SamplingParameters.greedy(8));
        assertThat(request.extraStopTokens()).containsExactlyInAnyOrder(4, 5, 1);
        assertThat(request.renderSpecialTokens()).isTrue();
        assertThat(request.promptTokens()).containsExactly(0, 2, 7, 3, 9, 6, 4, 2, 8, 3, 9);
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> ChatFormats.byName("chatml"))
                .isInstanceOf(ChatFormatException.class)
                .hasMessageContaining("'chatml'").hasMessageContaining("llama2, llama3, llama3.1, llama3.2");
    }

    @Test
    void toolCallIdsLookLikeOpenAis() {
        assertThat(ChatFormats.newToolCallId()).matches("call_[A-Za-z0-9]{24}");
    }
}
