package io.herd.engine.chat;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Expected text follows Meta's reference {@code Llama.chat_completion} (llama/generation.py):
 * {@code B_INST, E_INST = "[INST]", "[/INST]"}, {@code B_SYS, E_SYS = "<<SYS>>\n", "\n<</SYS>>\n\n"},
 * each exchange {@code f"{B_INST} {prompt.strip()} {E_INST} {answer.strip()} "} encoded with BOS and EOS,
 * the last prompt {@code f"{B_INST} {prompt.strip()} {E_INST}"} with BOS only.
 */
class Llama2ChatFormatTest {

    private final ChatFormat format = ChatFormats.byName("llama2");

    @Test
    void singleUserMessage() {
        assertThat(format.render(List.of(ChatMessage.user(" Hi there \n")), List.of()))
                .isEqualTo("<s>[INST] Hi there [/INST]");
    }

    @Test
    void systemPromptFoldsIntoTheFirstUserMessageAndTurnsAreDelimited() {
        String prompt = format.render(List.of(
                ChatMessage.system("Always answer with Haiku"),
                ChatMessage.user("I am going to Paris, what should I see?"),
                ChatMessage.assistant(" Eiffel Tower high "),
                ChatMessage.user("What is so great about #1?")), List.of());
        assertThat(prompt).isEqualTo("<s>[INST] <<SYS>>\nAlways answer with Haiku\n<</SYS>>\n\nI am going to Paris, what should I see? [/INST]"
                + " Eiffel Tower high </s><s>[INST] What is so great about #1? [/INST]");
    }

    @Test
    void stopsOnEndOfSentence() {
        assertThat(format.stopTokenTexts()).containsExactly("</s>");
    }

    @Test
    void rejectsWhatLlama2CannotExpress() {
        assertThatThrownBy(() -> format.render(List.of(ChatMessage.user("a"), ChatMessage.user("b")), List.of()))
                .isInstanceOf(ChatFormatException.class).hasMessageContaining("message 2").hasMessageContaining("assistant was expected");
        assertThatThrownBy(() -> format.render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), List.of()))
                .hasMessageContaining("must end with a user message");
        assertThatThrownBy(() -> format.render(List.of(ChatMessage.user("a")),
                List.of(new ToolDefinition("f", "", null))))
                .hasMessageContaining("no tool calling");
        assertThatThrownBy(() -> format.render(List.of(), List.of())).hasMessageContaining("no user message");
        assertThatThrownBy(() -> format.render(List.of(ChatMessage.system("s")), List.of()))
                .hasMessageContaining("followed by a user message");
    }

    @Test
    void replyIsPlainContent() {
        assertThat(format.parseReply(" [get_weather(city='SF')] ")).isEqualTo(AssistantReply.text("[get_weather(city='SF')]"));
    }
}
