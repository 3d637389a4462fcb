package io.herd.engine.generate;

/** The prompt does not fit the context; thrown before any forward pass runs. */
public final class ContextLengthExceededException extends IllegalArgumentException {

    private final int promptTokens;
    private final int contextLength;

    public ContextLengthExceededException(int promptTokens, int contextLength) {
        super("the prompt has " + promptTokens + " tokens but the context holds at most " + contextLength
                + "; shorten the prompt by at least " + (promptTokens - contextLength) + " tokens");
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
