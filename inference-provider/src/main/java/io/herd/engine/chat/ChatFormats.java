package io.herd.engine.chat;

import io.herd.engine.model.LanguageModel;
import io.herd.engine.tokenizer.Tokenizer;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Chooses the chat format of a model: Llama 3 when its vocabulary or chat template has
 * {@code <|start_header_id|>}, otherwise Llama 2; or one named explicitly.
 */
public final class ChatFormats {

    public static final List<String> NAMES = List.of("llama2", "llama3", "llama3.1", "llama3.2");
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private ChatFormats() {
    }

    public static ChatFormat forModel(LanguageModel model) {
        return detect(model.chatTemplate(), model.tokenizer());
    }

    /**
     * Llama 3 when the vocabulary or template has the header tokens; among those, Llama 3.2's pythonic
     * tool calls when the template asks for them, else Llama 3.1's JSON calls.
     */
    public static ChatFormat detect(Optional<String> chatTemplate, Tokenizer tokenizer) {
        String template = chatTemplate.orElse("");
        boolean llama3 = tokenizer.specialToken(Llama3ChatFormat.START_HEADER).isPresent()
                || template.contains(Llama3ChatFormat.START_HEADER);
        if (!llama3) {
            return byName("llama2");
        }
        return template.contains("[func_name1(") ? byName("llama3.2") : byName("llama3.1");
    }

    public static ChatFormat byName(String name) {
        return byName(name, Clock.systemDefaultZone(), ChatFormats::newToolCallId);
    }

    /** With the clock for the "Today Date" line and the source of tool call ids (for tests). */
    public static ChatFormat byName(String name, Clock clock, Supplier<String> toolCallIds) {
        return switch (name) {
            case "llama2" -> new Llama2ChatFormat();
            case "llama3", "llama3.1" -> new Llama3ChatFormat(name, Llama3ChatFormat.ToolStyle.JSON, clock, toolCallIds);
            case "llama3.2" -> new Llama3ChatFormat(name, Llama3ChatFormat.ToolStyle.PYTHONIC, clock, toolCallIds);
            default -> throw new ChatFormatException("unknown chat format '" + name + "'; known formats: " + String.join(", ", NAMES));
        };
    }

    /** An OpenAI-style id: {@code call_} and 24 random letters and digits. */
    static String newToolCallId() {
        RandomGenerator random = RandomGenerator.getDefault();
        StringBuilder id = new StringBuilder("call_");
        for (int i = 0; i < 24; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }
}
