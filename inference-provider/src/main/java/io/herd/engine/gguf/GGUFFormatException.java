package io.herd.engine.gguf;

import java.io.IOException;
import java.nio.file.Path;

/** A GGUF file that is corrupt, truncated, or uses something this reader does not support. */
public final class GGUFFormatException extends IOException {

    public GGUFFormatException(String message) {
        super(message);
    }

    public GGUFFormatException(Path file, String reason) {
        super(file + ": " + reason);
    }
}
