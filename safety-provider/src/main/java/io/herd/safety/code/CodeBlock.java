package io.herd.safety.code;

import java.util.ArrayList;
import java.util.List;

/**
 * A piece of code found in a message: a fenced Markdown block (with its info string's language) or, when the
 * message has no fences but reads like code, the whole message with a guessed language.
 *
 * @param firstLine 1-based line of the code's first line in the message
 */
public record CodeBlock(Language language, String code, int firstLine) {

    /** Extracts fenced blocks (``` or ~~~, any info string); unterminated fences run to the end of the text. */
    public static List<CodeBlock> extract(String text) {
        List<CodeBlock> blocks = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String trimmed = lines[i].stripLeading();
            if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
                String fence = trimmed.substring(0, 3);
                String tag = trimmed.substring(3).trim();
                int start = i + 1;
                int end = start;
                while (end < lines.length && !lines[end].stripLeading().startsWith(fence)) {
                    end++;
                }
                String code = String.join("\n", java.util.Arrays.copyOfRange(lines, start, Math.min(end, lines.length)));
                Language language = Language.fromFenceTag(tag);
                if (language == Language.UNKNOWN) {
                    language = Language.guess(code);
                }
                blocks.add(new CodeBlock(language, code, start + 1));
                i = end + 1;
            } else {
                i++;
            }
        }
        if (blocks.isEmpty() && looksLikeCode(text)) {
            blocks.add(new CodeBlock(Language.guess(text), text, 1));
        }
        return blocks;
    }

    /** Unfenced text counts as code when a good share of its lines end or start like statements. */
    static boolean looksLikeCode(String text) {
        String[] lines = text.split("\n");
        int codeLike = 0;
        int nonEmpty = 0;
        for (String line : lines) {
            String t = line.trim();
            if (t.isEmpty()) {
                continue;
            }
            nonEmpty++;
            if (t.endsWith(";") || t.endsWith("{") || t.endsWith("}") || t.endsWith(":") && t.startsWith("def ")
                    || t.startsWith("import ") || t.startsWith("#include") || t.startsWith("def ") || t.startsWith("$ ")
                    || t.matches("^[A-Za-z_][\\w.]*\\s*=\\s*.+") || t.matches("^[\\w.]+\\(.*\\)$")) {
                codeLike++;
            }
        }
        return nonEmpty > 0 && codeLike * 2 >= nonEmpty;
    }
}
