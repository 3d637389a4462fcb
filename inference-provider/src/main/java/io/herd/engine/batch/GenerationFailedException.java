package io.herd.engine.batch;

/** A scheduled generation could not finish because the engine failed while computing it. */
public final class GenerationFailedException extends RuntimeException {

    public GenerationFailedException(Throwable cause) {
        super("generation failed: " + cause.getMessage(), cause);
    }
}
