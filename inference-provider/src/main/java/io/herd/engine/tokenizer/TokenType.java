package io.herd.engine.tokenizer;

/**
 * Kind of a vocabulary entry, numbered as GGUF's {@code tokenizer.ggml.token_type} array
 * (the SentencePiece piece types; 0 means the converter did not say).
 */
public enum TokenType {
    UNDEFINED,
    NORMAL,
    UNKNOWN,
    CONTROL,
    USER_DEFINED,
    UNUSED,
    BYTE;

    private static final TokenType[] BY_CODE = values();

    /** The type for a GGUF code; codes outside 0..6 count as {@link #UNDEFINED}, as llama.cpp treats them. */
    public static TokenType fromGgufCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNDEFINED;
    }

    /** Control and unknown tokens mark structure, not text: they are hidden unless asked for. */
    public boolean isSpecial() {
        return this == CONTROL || this == UNKNOWN;
    }

    /** Tokens whose literal text is matched in the input before ordinary tokenization. */
    public boolean isMatchedAsText() {
        return this == CONTROL || this == UNKNOWN || this == USER_DEFINED;
    }
}
