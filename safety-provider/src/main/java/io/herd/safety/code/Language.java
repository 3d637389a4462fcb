package io.herd.safety.code;

import java.util.Locale;

/** Languages the code scanner has rules for; {@link #UNKNOWN} code gets only the language-neutral rules. */
public enum Language {
    PYTHON, JAVASCRIPT, JAVA, GO, SHELL, PHP, C, SQL, UNKNOWN;

    /** Maps a fence info string ("```py", "```typescript", "```bash") to a language. */
    public static Language fromFenceTag(String tag) {
        if (tag == null) {
            return UNKNOWN;
        }
        String t = tag.trim().toLowerCase(Locale.ROOT);
        int space = t.indexOf(' ');
        if (space > 0) {
            t = t.substring(0, space);
        }
        return switch (t) {
            case "python", "py", "python3", "py3", "ipython" -> PYTHON;
            case "javascript", "js", "node", "nodejs", "typescript", "ts", "jsx", "tsx", "mjs", "cjs" -> JAVASCRIPT;
            case "java", "kotlin", "kt", "groovy", "scala" -> JAVA;
            case "go", "golang" -> GO;
            case "sh", "bash", "shell", "zsh", "console", "shell-session", "ksh" -> SHELL;
            case "php" -> PHP;
            case "c", "cpp", "c++", "h", "hpp", "cc", "objc" -> C;
            case "sql", "mysql", "postgresql", "psql", "sqlite" -> SQL;
            default -> UNKNOWN;
        };
    }

    /** Guesses the language of unlabelled code from tell-tale tokens. */
    public static Language guess(String code) {
        if (code.contains("<?php") || code.contains("$_GET") || code.contains("$_POST")) return PHP;
        if (code.contains("def ") && code.contains(":") || code.contains("import os") || code.contains("subprocess.")
                || code.contains("os.system(") || code.contains("os.popen(")
                || code.contains("print(") && !code.contains(";")) return PYTHON;
        if (code.contains("package main") || code.contains("func ") && code.contains(":=")) return GO;
        if (code.contains("public class") || code.contains("public static void") || code.contains("System.out.")
                || code.contains("Runtime.getRuntime()")) return JAVA;
        if (code.contains("#include") || code.contains("int main(")) return C;
        if (code.contains("const ") || code.contains("let ") || code.contains("function ") || code.contains("=>")
                || code.contains("require(") || code.contains("console.log")) return JAVASCRIPT;
        if (code.startsWith("#!/bin/") || code.contains("#!/usr/bin/env bash") || code.contains("echo ") && code.contains("$")) return SHELL;
        return UNKNOWN;
    }
}
