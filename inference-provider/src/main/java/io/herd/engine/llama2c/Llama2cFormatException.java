package io.herd.engine.llama2c;

import java.io.IOException;
import java.nio.file.Path;

/** A llama2.c checkpoint that is truncated or whose header makes no sense. */
public final class Llama2cFormatException extends IOException {

    public Llama2cFormatException(Path file, String reason) {
        super(file + ": " + reason);
    }
}
