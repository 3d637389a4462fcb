package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * A chat message of any role. Assistant messages may carry {@code tool_calls} instead of content;
 * tool messages answer one call and name it in {@code tool_call_id}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatMessage(
        Role role,
        MessageContent content,
        String name,
        @JsonProperty("tool_calls") List<ToolCall> toolCalls,
        @JsonProperty("tool_call_id") String toolCallId,
        String refusal) {

    public static ChatMessage system(String text) {
        return new ChatMessage(Role.SYSTEM, MessageContent.of(text), null, null, null, null);
    }

    public static ChatMessage user(String text) {
        return new ChatMessage(Role.USER, MessageContent.of(text), null, null, null, null);
    }

    public static ChatMessage assistant(String text) {
        return new ChatMessage(Role.ASSISTANT, text == null ? null : MessageContent.of(text), null, null, null, null);
    }

    public static ChatMessage assistant(String text, List<ToolCall> toolCalls) {
        return new ChatMessage(Role.ASSISTANT, text == null ? null : MessageContent.of(text), null,
                toolCalls == null || toolCalls.isEmpty() ? null : List.copyOf(toolCalls), null, null);
    }

    public static ChatMessage tool(String toolCallId, String text) {
        return new ChatMessage(Role.TOOL, MessageContent.of(text), null, null, toolCallId, null);
    }

    /** The message's text (text parts joined), or the empty string when it has none. */
    public String text() {
        return content == null ? "" : content.text();
    }
}
