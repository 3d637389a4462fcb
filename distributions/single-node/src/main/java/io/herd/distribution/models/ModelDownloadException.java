package io.herd.distribution.models;

/** A model could not be downloaded; the message says why and what to do. */
public class ModelDownloadException extends RuntimeException {

    public ModelDownloadException(String message) {
        super(message);
    }

    public ModelDownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
