package io.herd.engine.chat;

/** A conversation or tool definition the chat format cannot render, with what is wrong. */
public final class ChatFormatException extends IllegalArgumentException {

    public ChatFormatException(String message) {
        super(message);
    }
}
