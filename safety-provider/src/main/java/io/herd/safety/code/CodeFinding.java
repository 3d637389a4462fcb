package io.herd.safety.code;

/**
 * One insecure construct.
 *
 * @param ruleId  stable id, e.g. {@code python.sql-injection}
 * @param cwe     the CWE it instantiates, e.g. {@code CWE-89}
 * @param line    1-based line in the scanned text (not in the code block)
 * @param snippet the offending line, trimmed and clipped
 */
public record CodeFinding(String ruleId, String cwe, Severity severity, Language language, int line, String message,
                          String snippet) {
}
