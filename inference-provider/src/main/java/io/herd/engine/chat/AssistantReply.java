package io.herd.engine.chat;

import java.util.List;

/** What the model said, split into plain content and the tool calls it asked for. */
public record AssistantReply(String content, List<ToolCall> toolCalls) {

    public AssistantReply {
        toolCalls = List.copyOf(toolCalls);
    }

    public static AssistantReply text(String content) {
        return new AssistantReply(content, List.of());
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    public ChatMessage toMessage() {
        return ChatMessage.assistant(content, toolCalls);
    }
}
