package io.herd.engine.chat;

import io.herd.engine.generate.GenerationRequest;
import io.herd.engine.generate.SamplingParameters;
import io.herd.engine.tokenizer.Tokenizer;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A model family's conversation layout: renders messages (and tool definitions) to prompt text
 * whose special tokens appear as their text, to be encoded with {@code parseSpecial = true} and no
 * extra BOS (the text starts with it), and reads the model's reply back.
 */
public interface ChatFormat {

    /** The name by which it can be chosen, e.g. {@code llama3.1}. */
    String name();

    /**
     * The prompt for the assistant's next message: the conversation followed by the opening of an
     * assistant turn.
     *
     * @throws ChatFormatException when the conversation cannot be expressed in this format
     */
    String render(List<ChatMessage> messages, List<ToolDefinition> tools);

    /** Texts of the special tokens that end an assistant turn. */
    List<String> stopTokenTexts();

    /** Splits generated text (special tokens rendered as text) into content and tool calls. */
    AssistantReply parseReply(String generated);

    /** The stop tokens of {@link #stopTokenTexts()} that the tokenizer knows. */
    default Set<Integer> stopTokens(Tokenizer tokenizer) {
        Set<Integer> ids = new LinkedHashSet<>();
        for (String text : stopTokenTexts()) {
            tokenizer.specialToken(text).ifPresent(ids::add);
        }
        return ids;
    }

    /** Renders and tokenizes the prompt. */
    default int[] encode(Tokenizer tokenizer, List<ChatMessage> messages, List<ToolDefinition> tools) {
        return tokenizer.encode(render(messages, tools), false, true);
    }

    /**
     * A generation of the assistant's next message: the encoded prompt, this format's end-of-turn
     * tokens as stop tokens, and special tokens kept in the text so that {@link #parseReply} sees
     * tool-call markers such as {@code <|python_tag|>}.
     */
    default GenerationRequest generationRequest(Tokenizer tokenizer, List<ChatMessage> messages, List<ToolDefinition> tools,
                                                SamplingParameters sampling) {
        return GenerationRequest.of(encode(tokenizer, messages, tools), sampling)
                .withExtraStopTokens(stopTokens(tokenizer))
                .withRenderSpecialTokens(true);
    }
}
