package io.herd.engine.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Llama 2 chat as Meta's reference {@code chat_completion} builds it: each user/assistant exchange is
 * {@code <s>[INST] user [/INST] answer </s>}, the open turn {@code <s>[INST] user [/INST]}, and a
 * system prompt is folded into the first user message as {@code <<SYS>>\n...\n<</SYS>>\n\n}.
 * Llama 2 has no tool calling.
 */
public final class Llama2ChatFormat implements ChatFormat {

    public static final String NAME = "llama2";
    private static final String BOS = "<s>";
    private static final String EOS = "</s>";
    private static final String B_INST = "[INST]";
    private static final String E_INST = "[/INST]";
    private static final String B_SYS = "<<SYS>>\n";
    private static final String E_SYS = "\n<</SYS>>\n\n";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String render(List<ChatMessage> messages, List<ToolDefinition> tools) {
        if (!tools.isEmpty()) {
            throw new ChatFormatException("the " + NAME + " chat format has no tool calling; remove the tools or use a Llama 3.1+ model");
        }
        List<ChatMessage> dialog = new ArrayList<>(messages);
        if (!dialog.isEmpty() && dialog.getFirst().role() == Role.SYSTEM) {
            ChatMessage system = dialog.removeFirst();
            if (dialog.isEmpty() || dialog.getFirst().role() != Role.USER) {
                throw new ChatFormatException("in the " + NAME + " chat format a system message must be followed by a user message");
            }
            ChatMessage firstUser = dialog.removeFirst();
            dialog.addFirst(ChatMessage.user(B_SYS + system.content() + E_SYS + firstUser.content()));
        }
        if (dialog.isEmpty()) {
            throw new ChatFormatException("the conversation has no user message");
        }
        StringBuilder prompt = new StringBuilder();
        for (int i = 0; i < dialog.size(); i++) {
            ChatMessage message = dialog.get(i);
            Role expected = i % 2 == 0 ? Role.USER : Role.ASSISTANT;
            if (message.role() != expected || !message.toolCalls().isEmpty()) {
                throw new ChatFormatException("the " + NAME + " chat format needs an optional system message, then user and"
                        + " assistant messages alternating; message " + (i + 1) + " after the system prompt is "
                        + message.role().apiName() + (message.toolCalls().isEmpty() ? "" : " with tool calls")
                        + " where " + expected.apiName() + " was expected");
            }
            if (expected == Role.USER) {
                prompt.append(BOS).append(B_INST).append(' ').append(message.content().strip()).append(' ').append(E_INST);
            } else {
                prompt.append(' ').append(message.content().strip()).append(' ').append(EOS);
            }
        }
        if (dialog.getLast().role() != Role.USER) {
            throw new ChatFormatException("the conversation must end with a user message for the assistant to answer");
        }
        return prompt.toString();
    }

    @Override
    public List<String> stopTokenTexts() {
        return List.of(EOS);
    }

    @Override
    public AssistantReply parseReply(String generated) {
        return AssistantReply.text(generated.strip());
    }
}
