package io.herd.api.inference;

/** The {@code finish_reason} values of the OpenAI API. */
public final class FinishReason {
    /** The model ended its turn or hit a stop sequence. */
    public static final String STOP = "stop";
    /** The token limit ({@code max_tokens} or the context) was reached. */
    public static final String LENGTH = "length";
    public static final String TOOL_CALLS = "tool_calls";
    public static final String CONTENT_FILTER = "content_filter";

    private FinishReason() {
    }
}
