package io.herd.gateway.config;

/** {@code config.yaml} is unreadable or invalid; the message names the file and the field. */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
