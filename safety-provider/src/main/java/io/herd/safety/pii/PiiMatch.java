package io.herd.safety.pii;

/**
 * One finding, as offsets into the scanned text.
 *
 * @param kind a finer label within the category, e.g. {@code us_ssn}, {@code aws_access_key}, {@code ipv6}
 */
public record PiiMatch(PiiCategory category, String kind, int start, int end) {

    public PiiMatch {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("bad span " + start + ".." + end);
        }
    }

    boolean overlaps(PiiMatch other) {
        return start < other.end && other.start < end;
    }

    int length() {
        return end - start;
    }
}
