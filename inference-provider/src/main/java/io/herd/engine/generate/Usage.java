package io.herd.engine.generate;

/** Token counts of one generation; completion tokens include a final stop token the model produced. */
public record Usage(int promptTokens, int completionTokens) {

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
