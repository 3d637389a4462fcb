package io.herd.distribution.models;

/** The downloaded bytes do not hash to the expected SHA-256; the partial file has been deleted. */
public final class ChecksumMismatchException extends ModelDownloadException {

    private final String expected;
    private final String actual;

    public ChecksumMismatchException(ModelReference reference, String expected, String actual) {
        super("checksum mismatch for " + reference + ": expected sha256 " + expected + " but the download hashes to "
                + actual + "; the corrupt download was deleted, run the pull again");
        this.expected = expected;
        this.actual = actual;
    }

    public String expected() {
        return expected;
    }

    public String actual() {
        return actual;
    }
}
