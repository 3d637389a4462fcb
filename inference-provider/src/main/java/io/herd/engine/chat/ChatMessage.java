package io.herd.engine.chat;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation. Assistant messages may carry tool calls instead of (or besides)
 * content; tool messages carry the result of the call named by {@code toolCallId}.
 */
public record ChatMessage(Role role, String content, List<ToolCall> toolCalls, String toolCallId) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        content = Objects.requireNonNullElse(content, "");
        toolCalls = List.copyOf(Objects.requireNonNullElse(toolCalls, List.of()));
        if (!toolCalls.isEmpty() && role != Role.ASSISTANT) {
            throw new ChatFormatException("only assistant messages can carry tool calls, not " + role.apiName() + " messages");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content, List.of(), null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content, List.of(), null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content, List.of(), null);
    }

    public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
        return new ChatMessage(Role.ASSISTANT, content, toolCalls, null);
    }

    public static ChatMessage tool(String toolCallId, String content) {
        return new ChatMessage(Role.TOOL, content, List.of(), toolCallId);
    }
}
