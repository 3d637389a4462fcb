package io.herd.engine.chat;

import io.herd.engine.generate.FinishReason;

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

    /** A reply that calls tools finished with {@code tool_calls} when the model stopped by itself. */
    public FinishReason finishReason(FinishReason generationFinish) {
        return hasToolCalls() && generationFinish == FinishReason.STOP ? FinishReason.TOOL_CALLS : generationFinish;
    }

    public ChatMessage toMessage() {
        return ChatMessage.assistant(content, toolCalls);
    }
}
