package io.herd.safety.code;

import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A line-level rule: the pattern must match a line of code in one of the rule's languages. When
 * {@code contextWords} is set, the line must also mention one of them (e.g. "password" for a weak hash), which
 * separates an MD5 checksum of a file from an MD5 of a password.
 */
record CodeRule(String id, String cwe, Severity severity, Set<Language> languages, Pattern pattern, Pattern contextWords,
                String message) {

    static final Set<Language> ALL = EnumSet.allOf(Language.class);

    static CodeRule rule(String id, String cwe, Severity severity, Set<Language> languages, String regex, String message) {
        return new CodeRule(id, cwe, severity, languages, Pattern.compile(regex), null, message);
    }

    static CodeRule ruleWithContext(String id, String cwe, Severity severity, Set<Language> languages, String regex,
                                    String contextRegex, String message) {
        return new CodeRule(id, cwe, severity, languages, Pattern.compile(regex),
                Pattern.compile(contextRegex, Pattern.CASE_INSENSITIVE), message);
    }

    boolean appliesTo(Language language) {
        return languages.contains(language);
    }

    boolean matches(String line) {
        return pattern.matcher(line).find() && (contextWords == null || contextWords.matcher(line).find());
    }
}
