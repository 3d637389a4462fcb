package io.herd.engine.generate;

/** Why a generation ended, with the name the OpenAI API uses for it. */
public enum FinishReason {
    /** A stop token or stop string was produced. */
    STOP("stop"),
    /** The token limit or the end of the context was reached. */
    LENGTH("length"),
    /** The output is a tool call; decided by the caller that parses it, never by the generator. */
    TOOL_CALLS("tool_calls"),
    /** The caller cancelled the generation. */
    CANCELLED("cancelled");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }
}
