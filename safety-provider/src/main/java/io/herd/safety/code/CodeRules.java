package io.herd.safety.code;

import static io.herd.safety.code.CodeRule.rule;
import static io.herd.safety.code.CodeRule.ruleWithContext;
import static io.herd.safety.code.Language.*;
import static io.herd.safety.code.Severity.*;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The rule table, grouped by language; ids are {@code <language>.<weakness>}. */
final class CodeRules {

    private CodeRules() {
    }

    private static final String SECRET_WORDS = "token|passw|pwd|secret|api.?key|otp|nonce|salt|session|csrf|reset|auth";
    private static final String SQL_VERB = "(?i:\\s*(?:select\\s[^\"'`]*?\\bfrom\\b|insert\\s+into|update\\s+[\\w.]+\\s+set|delete\\s+from|"
            + "drop\\s+table|replace\\s+into))";
    private static final Set<Language> CODE = EnumSet.complementOf(EnumSet.of(SQL));

    static final List<CodeRule> RULES = List.of(
            // ---- language-neutral
            rule("generic.sql-injection", "CWE-89", HIGH, ALL_BUT_C(),
                    "[\"'`]" + SQL_VERB + "[^\"'`]*[\"'`]\\s*(?:\\+\\s*[\\w(]|\\.\\s*\\$|%\\s*[\\w(]|\\.format\\s*\\()"
                            + "|\\bf\"" + SQL_VERB + "[^\"]*\\{|\\bf'" + SQL_VERB + "[^']*\\{|`" + SQL_VERB + "[^`]*\\$\\{"
                            + "|\"" + SQL_VERB + "[^\"]*\\$[A-Za-z_]\\w*[^\"]*\"",
                    "SQL built from strings and variables; use a parameterised query"),
            rule("generic.hardcoded-secret", "CWE-798", HIGH, CODE,
                    "(?i)\\b[\\w.]*(?:password|passwd|pwd|secret|api_?key|apikey|access_?token|auth_?token|private_?key|client_?secret)"
                            + "[\\w]*[\"']?\\s*(?::=|=|:|=>)\\s*[\"'](?!\\s*[\"'])(?!<|\\$\\{|\\{\\{|your|xxx|\\*\\*\\*|changeme|example|"
                            + "placeholder|todo|dummy|none|null|test)[^\"'\\s]{4,}[\"']",
                    "credential written into the source; read it from the environment or a secret store"),

            // ---- Python
            rule("python.shell-injection", "CWE-78", HIGH, EnumSet.of(PYTHON),
                    "\\bos\\.(?:system|popen)\\s*\\((?!\\s*[\"'][^\"'{}%]*[\"']\\s*\\))",
                    "shell command built at run time; use subprocess.run with an argument list"),
            rule("python.subprocess-shell-true", "CWE-78", HIGH, EnumSet.of(PYTHON),
                    "\\bsubprocess\\.\\w+\\s*\\(.*\\bshell\\s*=\\s*True",
                    "subprocess with shell=True runs the string through the shell; pass an argument list"),
            rule("python.code-injection", "CWE-95", HIGH, EnumSet.of(PYTHON),
                    "(?<![\\w.])(?:eval|exec)\\s*\\((?!\\s*[\"'][^\"']*[\"']\\s*\\))",
                    "eval/exec of a value that may come from input; parse it instead (ast.literal_eval, json)"),
            ruleWithContext("python.weak-password-hash", "CWE-916", HIGH, EnumSet.of(PYTHON),
                    "\\bhashlib\\.(?:md5|sha1|new\\s*\\(\\s*[\"'](?:md5|sha1)[\"'])", "passw|pwd",
                    "MD5/SHA-1 for passwords; use bcrypt, scrypt or argon2"),
            rule("python.weak-hash", "CWE-328", MEDIUM, EnumSet.of(PYTHON),
                    "\\bhashlib\\.(?:md5|sha1)\\s*\\(", "MD5/SHA-1 are broken for security uses; use SHA-256 or better"),
            rule("python.weak-cipher", "CWE-327", HIGH, EnumSet.of(PYTHON),
                    "\\b(?:DES|DES3|ARC4|ARC2|Blowfish)\\.new\\s*\\(|\\bMODE_ECB\\b|algorithms\\.(?:TripleDES|ARC4|Blowfish)|modes\\.ECB",
                    "broken cipher or ECB mode; use AES-GCM or ChaCha20-Poly1305"),
            ruleWithContext("python.insecure-random", "CWE-338", MEDIUM, EnumSet.of(PYTHON),
                    "\\brandom\\.(?:random|randint|choice|choices|getrandbits|randrange|sample)\\s*\\(", SECRET_WORDS,
                    "random is predictable; use the secrets module for tokens and passwords"),
            rule("python.insecure-deserialization", "CWE-502", MEDIUM, EnumSet.of(PYTHON),
                    "\\b(?:pickle|cPickle|dill|marshal)\\.loads?\\s*\\(|\\byaml\\.load\\s*\\((?!.*Loader\\s*=\\s*(?:yaml\\.)?(?:Safe|CSafe)Loader)",
                    "deserialising untrusted data can run code; use json or yaml.safe_load"),
            rule("python.tls-verification-disabled", "CWE-295", MEDIUM, EnumSet.of(PYTHON),
                    "\\bverify\\s*=\\s*False|_create_unverified_context|CERT_NONE",
                    "TLS certificate verification turned off"),

            // ---- JavaScript / TypeScript
            rule("javascript.code-injection", "CWE-95", HIGH, EnumSet.of(JAVASCRIPT),
                    "(?<![\\w.])eval\\s*\\((?!\\s*[\"'`][^\"'`$]*[\"'`]\\s*\\))|\\bnew\\s+Function\\s*\\(|\\bset(?:Timeout|Interval)\\s*\\(\\s*[\"'`]",
                    "code built from strings at run time"),
            rule("javascript.shell-injection", "CWE-78", HIGH, EnumSet.of(JAVASCRIPT),
                    "(?:child_process\\.|(?<![\\w.]))(?:exec|execSync)\\s*\\(\\s*(?:`[^`]*\\$\\{|[\"'][^\"']*[\"']\\s*\\+|[A-Za-z_$][\\w$]*\\s*\\+)",
                    "shell command built from input; use execFile/spawn with an argument array"),
            rule("javascript.xss", "CWE-79", MEDIUM, EnumSet.of(JAVASCRIPT),
                    "\\.(?:innerHTML|outerHTML)\\s*\\+?=(?!\\s*[\"'`][^\"'`$]*[\"'`]\\s*;?\\s*$)|\\bdocument\\.write(?:ln)?\\s*\\(|dangerouslySetInnerHTML",
                    "HTML written from a variable; use textContent or sanitise"),
            ruleWithContext("javascript.insecure-random", "CWE-338", MEDIUM, EnumSet.of(JAVASCRIPT),
                    "\\bMath\\.random\\s*\\(", SECRET_WORDS + "|\\bid\\b|uuid|key",
                    "Math.random is predictable; use crypto.randomBytes or crypto.getRandomValues"),
            rule("javascript.weak-hash", "CWE-328", MEDIUM, EnumSet.of(JAVASCRIPT),
                    "createHash\\s*\\(\\s*[\"'](?:md5|sha1|md4)[\"']", "MD5/SHA-1 are broken for security uses"),
            rule("javascript.weak-cipher", "CWE-327", HIGH, EnumSet.of(JAVASCRIPT),
                    "createCipher(?:iv)?\\s*\\(\\s*[\"'](?:des|des-ede|des-ede3|rc4|bf|rc2|[a-z0-9-]*-ecb)[\"']|\\bcreateCipher\\s*\\(",
                    "broken cipher, ECB mode, or createCipher without an IV"),
            rule("javascript.tls-verification-disabled", "CWE-295", MEDIUM, EnumSet.of(JAVASCRIPT),
                    "rejectUnauthorized\\s*:\\s*false|NODE_TLS_REJECT_UNAUTHORIZED\\s*=\\s*[\"']?0",
                    "TLS certificate verification turned off"),

            // ---- Java
            rule("java.shell-injection", "CWE-78", HIGH, EnumSet.of(JAVA),
                    "\\.exec\\s*\\((?!\\s*\"[^\"]*\"\\s*\\))(?=.*(?:\\+|getParameter|format))|Runtime\\.getRuntime\\(\\)\\.exec\\s*\\(\\s*[a-z]\\w*\\s*\\)"
                            + "|\"(?:sh|bash|/bin/sh|/bin/bash|cmd(?:\\.exe)?)\"\\s*,\\s*\"(?:-c|/c)\"\\s*,\\s*[^)]*\\+",
                    "command line built from strings; pass a fixed program and separate arguments to ProcessBuilder"),
            rule("java.sql-injection", "CWE-89", HIGH, EnumSet.of(JAVA),
                    "\\.(?:executeQuery|executeUpdate|execute|prepareStatement|addBatch|createQuery|createNativeQuery|queryForList|queryForObject)"
                            + "\\s*\\(\\s*(?:\"[^\"]*\"\\s*\\+|[A-Za-z_]\\w*\\s*\\+|String\\.format\\s*\\()",
                    "SQL built by concatenation; use a PreparedStatement with ? parameters"),
            rule("java.weak-hash", "CWE-328", MEDIUM, EnumSet.of(JAVA),
                    "MessageDigest\\.getInstance\\s*\\(\\s*\"(?i:MD5|MD2|SHA-?1)\"", "MD5/SHA-1 are broken for security uses"),
            rule("java.weak-cipher", "CWE-327", HIGH, EnumSet.of(JAVA),
                    "Cipher\\.getInstance\\s*\\(\\s*\"(?:(?i:DES|DESede|RC4|RC2|Blowfish|ARCFOUR)(?:\"|/)|AES\"|[^\"]*/ECB/)",
                    "broken cipher or ECB mode (plain \"AES\" means AES/ECB); use AES/GCM/NoPadding"),
            ruleWithContext("java.insecure-random", "CWE-338", MEDIUM, EnumSet.of(JAVA),
                    "\\bnew\\s+(?:java\\.util\\.)?Random\\s*\\(|\\bMath\\.random\\s*\\(|ThreadLocalRandom\\.current\\(\\)", SECRET_WORDS,
                    "java.util.Random is predictable; use SecureRandom"),
            rule("java.insecure-deserialization", "CWE-502", MEDIUM, EnumSet.of(JAVA),
                    "\\bnew\\s+ObjectInputStream\\s*\\(|\\bXMLDecoder\\s*\\(", "Java deserialisation of untrusted data can run code"),
            rule("java.tls-verification-disabled", "CWE-295", MEDIUM, EnumSet.of(JAVA),
                    "NoopHostnameVerifier|ALLOW_ALL_HOSTNAME_VERIFIER|setHostnameVerifier\\s*\\(\\s*\\(\\s*\\w+\\s*,\\s*\\w+\\s*\\)\\s*->\\s*true"
                            + "|TrustAllCerts|InsecureTrustManagerFactory",
                    "TLS host or certificate verification turned off"),

            // ---- Go
            rule("go.shell-injection", "CWE-78", HIGH, EnumSet.of(GO),
                    "exec\\.Command(?:Context)?\\s*\\((?:\\s*\\w+\\s*,)?\\s*\"(?:sh|bash|/bin/sh|/bin/bash|cmd)\"\\s*,\\s*\"(?:-c|/c)\"\\s*,\\s*(?!\"[^\"]*\"\\s*\\))",
                    "shell command built at run time; call the program directly with separate arguments"),
            rule("go.sql-injection", "CWE-89", HIGH, EnumSet.of(GO),
                    "\\.(?:Query|QueryRow|Exec|QueryContext|QueryRowContext|ExecContext)\\s*\\((?:\\s*\\w+\\s*,)?\\s*(?:fmt\\.Sprintf\\s*\\(|\"[^\"]*\"\\s*\\+)"
                            + "|fmt\\.Sprintf\\s*\\(\\s*\"" + SQL_VERB,
                    "SQL built with Sprintf or +; use placeholders ($1, ?)"),
            rule("go.weak-hash", "CWE-328", MEDIUM, EnumSet.of(GO), "\\b(?:md5|sha1)\\.(?:New|Sum)\\s*\\(",
                    "MD5/SHA-1 are broken for security uses"),
            rule("go.weak-cipher", "CWE-327", HIGH, EnumSet.of(GO), "\\b(?:des\\.NewCipher|des\\.NewTripleDESCipher|rc4\\.NewCipher)\\b",
                    "broken cipher; use AES-GCM"),
            ruleWithContext("go.insecure-random", "CWE-338", MEDIUM, EnumSet.of(GO),
                    "\\brand\\.(?:Int|Intn|Int31|Int63|Uint32|Uint64|Read)\\s*\\(", SECRET_WORDS,
                    "math/rand is predictable; use crypto/rand"),
            rule("go.tls-verification-disabled", "CWE-295", MEDIUM, EnumSet.of(GO), "InsecureSkipVerify\\s*:\\s*true",
                    "TLS certificate verification turned off"),

            // ---- shell
            rule("shell.curl-pipe-shell", "CWE-494", HIGH, EnumSet.of(SHELL, UNKNOWN),
                    "\\b(?:curl|wget)\\b[^|\\n]*\\|\\s*(?:sudo\\s+)?(?:ba|z|k)?sh\\b",
                    "runs a downloaded script without checking it"),
            rule("shell.eval", "CWE-95", HIGH, EnumSet.of(SHELL), "\\beval\\s+[\"']?\\$", "eval of a variable"),
            rule("shell.destructive-rm", "CWE-73", HIGH, EnumSet.of(SHELL, UNKNOWN),
                    "\\brm\\s+-(?:[a-zA-Z]*r[a-zA-Z]*f|[a-zA-Z]*f[a-zA-Z]*r)[a-zA-Z]*\\s+(?:--no-preserve-root\\s+)?(?:/\\*?(?:\\s|$)|[\"']?\\$\\{?\\w+\\}?/?\\*?[\"']?(?:\\s|$))",
                    "recursive delete of / or of an unchecked variable (empty variable means /)"),
            rule("shell.world-writable", "CWE-732", MEDIUM, EnumSet.of(SHELL, UNKNOWN),
                    "\\bchmod\\s+(?:-R\\s+)?(?:0?777|a\\+rwx|o\\+w)\\b", "world-writable permissions"),
            rule("shell.tls-verification-disabled", "CWE-295", MEDIUM, EnumSet.of(SHELL),
                    "\\bcurl\\s[^\\n]*(?:\\s-k\\b|--insecure)|\\bwget\\s[^\\n]*--no-check-certificate",
                    "TLS certificate verification turned off"),

            // ---- PHP
            rule("php.shell-injection", "CWE-78", CRITICAL, EnumSet.of(PHP),
                    "\\b(?:system|exec|shell_exec|passthru|popen|proc_open)\\s*\\([^;]*(?:\\$_(?:GET|POST|REQUEST|COOKIE)|[\"'][^\"']*[\"']\\s*\\.\\s*\\$)"
                            + "|`[^`]*\\$_(?:GET|POST|REQUEST)",
                    "shell command built from request data; use escapeshellarg or avoid the shell"),
            rule("php.code-injection", "CWE-95", HIGH, EnumSet.of(PHP),
                    "\\beval\\s*\\(\\s*\\$|\\bassert\\s*\\(\\s*\\$_|preg_replace\\s*\\(\\s*[\"'][^\"']*/[a-z]*e[a-z]*[\"']|\\bcreate_function\\s*\\(",
                    "code built from data at run time"),
            rule("php.sql-injection", "CWE-89", HIGH, EnumSet.of(PHP),
                    "\\b(?:mysql_query|mysqli_query|pg_query|sqlite_query)\\s*\\([^;]*(?:\\.\\s*\\$|\\$_(?:GET|POST|REQUEST)|\"[^\"]*\\$\\w+)"
                            + "|->(?:query|exec)\\s*\\([^;]*(?:\\.\\s*\\$|\\$_(?:GET|POST|REQUEST)|\"[^\"]*\\$\\w+)",
                    "SQL built from variables; use prepared statements"),
            ruleWithContext("php.weak-password-hash", "CWE-916", HIGH, EnumSet.of(PHP),
                    "\\b(?:md5|sha1|crc32)\\s*\\(", "pass|pwd", "MD5/SHA-1 for passwords; use password_hash"),
            rule("php.insecure-deserialization", "CWE-502", HIGH, EnumSet.of(PHP),
                    "\\bunserialize\\s*\\(\\s*\\$_(?:GET|POST|REQUEST|COOKIE)", "unserialize of request data can run code"),
            rule("php.file-inclusion", "CWE-98", CRITICAL, EnumSet.of(PHP),
                    "\\b(?:include|require)(?:_once)?\\s*\\(?\\s*[^;]*\\$_(?:GET|POST|REQUEST|COOKIE)",
                    "file inclusion controlled by the request"),

            // ---- C / C++
            rule("c.gets", "CWE-242", CRITICAL, EnumSet.of(C), "(?<![\\w.])gets\\s*\\(", "gets cannot limit input; use fgets"),
            rule("c.unbounded-copy", "CWE-120", MEDIUM, EnumSet.of(C), "(?<![\\w.])(?:strcpy|strcat|sprintf|vsprintf|wcscpy)\\s*\\(",
                    "unbounded copy into a buffer; use snprintf/strlcpy with the buffer size"),
            rule("c.format-string", "CWE-134", HIGH, EnumSet.of(C),
                    "(?<![\\w.])(?:printf|syslog\\s*\\(\\s*\\w+\\s*,)\\s*\\(?\\s*[A-Za-z_]\\w*(?:\\[\\w*\\])?\\s*\\)|\\bfprintf\\s*\\(\\s*\\w+\\s*,\\s*[A-Za-z_]\\w*\\s*\\)",
                    "format string taken from a variable"),
            rule("c.command-injection", "CWE-78", HIGH, EnumSet.of(C), "(?<![\\w.])(?:system|popen)\\s*\\(\\s*(?!\")",
                    "shell command from a variable"),
            rule("c.unbounded-scanf", "CWE-120", MEDIUM, EnumSet.of(C), "\\bscanf\\s*\\(\\s*\"[^\"]*%s", "%s without a width in scanf"));

    private static Set<Language> ALL_BUT_C() {
        return EnumSet.complementOf(EnumSet.of(C));
    }
}
