package io.herd.safety.code;

import io.herd.safety.pii.PiiCategory;
import io.herd.safety.pii.PiiDetector;
import io.herd.safety.pii.PiiMatch;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Finds insecure constructs in code inside a message (Markdown fences, or the whole message when it reads as
 * code): injection (shell, SQL, eval), weak cryptography, predictable randomness for secrets, disabled TLS checks,
 * unsafe deserialisation and hard-coded credentials. Rules are line-level regular expressions per language,
 * in the spirit of Meta's CodeShield "insecure code detector" regex tier; comments are skipped.
 */
public final class CodeScanner {

    private static final int SNIPPET_CHARS = 160;
    private final PiiDetector keyDetector = new PiiDetector(EnumSet.of(PiiCategory.SECRET), PiiDetector.DEFAULT_ENTROPY_THRESHOLD);

    public List<CodeFinding> scan(String text) {
        List<CodeFinding> findings = new ArrayList<>();
        for (CodeBlock block : CodeBlock.extract(text)) {
            scanBlock(block, findings);
        }
        return findings;
    }

    private void scanBlock(CodeBlock block, List<CodeFinding> findings) {
        String[] lines = block.code().split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (isComment(line, block.language())) {
                continue;
            }
            int lineNumber = block.firstLine() + i;
            boolean hardcodedReported = false;
            for (CodeRule rule : CodeRules.RULES) {
                if (rule.appliesTo(block.language()) && rule.matches(line)) {
                    findings.add(new CodeFinding(rule.id(), rule.cwe(), rule.severity(), block.language(), lineNumber,
                            rule.message(), clip(line.strip())));
                    hardcodedReported |= rule.id().equals("generic.hardcoded-secret");
                    if (rule.id().endsWith("weak-password-hash")) {
                        // the generic weak-hash rule of the same language would report the same line again
                        break;
                    }
                }
            }
            if (!hardcodedReported) {
                for (PiiMatch key : keyDetector.detect(line)) {
                    if (!key.kind().equals("high_entropy_token") && !key.kind().equals("password_assignment")) {
                        findings.add(new CodeFinding("generic.hardcoded-credential", "CWE-798", Severity.HIGH, block.language(),
                                lineNumber, "a " + key.kind().replace('_', ' ') + " is written into the code", clip(line.strip())));
                        break;
                    }
                }
            }
        }
    }

    private static boolean isComment(String line, Language language) {
        String t = line.stripLeading();
        return switch (language) {
            case PYTHON, SHELL -> t.startsWith("#") && !t.startsWith("#!");
            case SQL -> t.startsWith("--");
            case PHP -> t.startsWith("//") || t.startsWith("#") || t.startsWith("*") || t.startsWith("/*");
            default -> t.startsWith("//") || t.startsWith("/*") || t.startsWith("* ");
        };
    }

    private static String clip(String s) {
        return s.length() <= SNIPPET_CHARS ? s : s.substring(0, SNIPPET_CHARS) + "...";
    }
}
