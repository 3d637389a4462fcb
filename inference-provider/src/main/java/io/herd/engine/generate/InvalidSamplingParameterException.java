package io.herd.engine.generate;

/** A sampling parameter is out of range; {@link #field()} names it so an API can report it as the bad param. */
public final class InvalidSamplingParameterException extends IllegalArgumentException {

    private final String field;

    public InvalidSamplingParameterException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
