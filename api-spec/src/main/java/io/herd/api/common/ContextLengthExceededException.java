package io.herd.api.common;

/** 400 with code {@code context_length_exceeded}: the prompt (plus the requested output) does not fit the model's context. */
public final class ContextLengthExceededException extends InvalidRequestException {

    private final int promptTokens;
    private final int contextLength;

    public ContextLengthExceededException(int promptTokens, int contextLength, String param) {
        super("This model's maximum context length is " + contextLength + " tokens, but the prompt has "
                + promptTokens + " tokens. Shorten the " + (param == null ? "input" : param) + ".",
                param, "context_length_exceeded", null);
        this.promptTokens = promptTokens;
        this.contextLength = contextLength;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextLength() {
        return contextLength;
    }
}
