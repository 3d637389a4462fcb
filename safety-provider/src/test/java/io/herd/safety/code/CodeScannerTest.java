package io.herd.safety.code;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CodeScannerTest {

    private final CodeScanner scanner = new CodeScanner();

    private List<String> ruleIds(String text) {
        return scanner.scan(text).stream().map(CodeFinding::ruleId).toList();
    }

    private static String fenced(String lang, String code) {
        return "Here you go:\n```" + lang + "\n" + code + "\n```\nHope it helps.";
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
            "python|os.system(\"ping \" + host)|python.shell-injection",
            "python|subprocess.run(f\"ls {path}\", shell=True)|python.subprocess-shell-true",
            "python|result = eval(input(\"expr: \"))|python.code-injection",
            "python|cursor.execute(f\"SELECT * FROM users WHERE name = '{name}'\")|generic.sql-injection",
            "python|cur.execute(\"SELECT * FROM t WHERE id = %s\" % user_id)|generic.sql-injection",
            "python|hashed = hashlib.md5(password.encode()).hexdigest()|python.weak-password-hash",
            "python|cipher = DES.new(key, DES.MODE_ECB)|python.weak-cipher",
            "python|token = ''.join(random.choice(chars) for _ in range(32))|python.insecure-random",
            "python|data = pickle.loads(request.body)|python.insecure-deserialization",
            "python|requests.get(url, verify=False)|python.tls-verification-disabled",
            "python|DB_PASSWORD = \"s3cr3tP@ss\"|generic.hardcoded-secret",
            "javascript|eval(req.query.code)|javascript.code-injection",
            "js|exec(`git clone ${repoUrl}`)|javascript.shell-injection",
            "typescript|el.innerHTML = userComment;|javascript.xss",
            "js|const sessionToken = Math.random().toString(36);|javascript.insecure-random",
            "js|db.query(`SELECT * FROM users WHERE id = ${id}`)|generic.sql-injection",
            "js|crypto.createHash('md5').update(pw)|javascript.weak-hash",
            "java|Runtime.getRuntime().exec(\"ping \" + host);|java.shell-injection",
            "java|ResultSet rs = stmt.executeQuery(\"SELECT * FROM users WHERE name='\" + name + \"'\");|java.sql-injection",
            "java|MessageDigest md = MessageDigest.getInstance(\"MD5\");|java.weak-hash",
            "java|Cipher c = Cipher.getInstance(\"AES\");|java.weak-cipher",
            "java|Cipher c = Cipher.getInstance(\"DES/CBC/PKCS5Padding\");|java.weak-cipher",
            "java|String resetToken = Long.toString(new Random().nextLong());|java.insecure-random",
            "go|out, _ := exec.Command(\"sh\", \"-c\", \"ls \" + dir).Output()|go.shell-injection",
            "go|rows, err := db.Query(fmt.Sprintf(\"SELECT * FROM users WHERE id = %s\", id))|go.sql-injection",
            "go|h := md5.Sum(data)|go.weak-hash",
            "go|cfg := &tls.Config{InsecureSkipVerify: true}|go.tls-verification-disabled",
            "bash|rm -rf $BUILD_DIR/*|shell.destructive-rm",
            "bash|chmod 777 /var/www|shell.world-writable",
            "php|system(\"ping \" . $_GET['host']);|php.shell-injection",
            "php|$r = mysqli_query($conn, \"SELECT * FROM users WHERE id = \" . $id);|php.sql-injection",
            "php|$obj = unserialize($_COOKIE['data']);|php.insecure-deserialization",
            "php|include($_GET['page']);|php.file-inclusion",
            "c|gets(buffer);|c.gets",
            "c|strcpy(dest, src);|c.unbounded-copy",
            "c|printf(user_input);|c.format-string",
            "python|aws_key = \"AKIAIOSFODNN7EXAMPLE\"|generic.hardcoded-credential"})
    void insecurePatternsAreFound(String lang, String code, String ruleId) {
        assertThat(ruleIds(fenced(lang, code))).contains(ruleId);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "python|subprocess.run([\"ls\", path], check=True)",
            "python|cursor.execute(\"SELECT * FROM users WHERE name = %s\", (name,))",
            "python|digest = hashlib.sha256(data).hexdigest()",
            "python|token = secrets.token_urlsafe(32)",
            "python|value = ast.literal_eval(text)",
            "python|password = os.environ[\"DB_PASSWORD\"]",
            "python|# os.system(cmd) would be unsafe here",
            "python|x = random.randint(1, 6)  # dice roll",
            "js|const match = /a+/.exec(text);",
            "js|el.textContent = userComment;",
            "js|db.query('SELECT * FROM users WHERE id = ?', [id])",
            "java|PreparedStatement ps = conn.prepareStatement(\"SELECT * FROM users WHERE id = ?\");",
            "java|Cipher c = Cipher.getInstance(\"AES/GCM/NoPadding\");",
            "java|SecureRandom rng = new SecureRandom();",
            "go|rows, err := db.Query(\"SELECT * FROM users WHERE id = $1\", id)",
            "go|cmd := exec.Command(\"ls\", \"-la\", dir)",
            "bash|rm -rf ./build",
            "c|snprintf(buf, sizeof buf, \"%s\", name);",
            "c|printf(\"%s\\n\", name);"})
    void safeEquivalentsAreNotFlagged(String lang, String code) {
        assertThat(scanner.scan(fenced(lang, code))).isEmpty();
    }

    @Test
    void reportsLineNumbersInTheMessageAndTheFenceLanguage() {
        String text = "Intro line\n\n```python\nimport os\n\nos.system('rm ' + name)\n```";
        List<CodeFinding> findings = scanner.scan(text);
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.line()).isEqualTo(6);
            assertThat(f.language()).isEqualTo(Language.PYTHON);
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.cwe()).isEqualTo("CWE-78");
        });
    }

    @Test
    void pipingADownloadIntoAShellIsFound() {
        assertThat(ruleIds(fenced("bash", "curl -fsSL https://example.com/install.sh | sudo bash"))).contains("shell.curl-pipe-shell");
    }

    @Test
    void unfencedCodeIsGuessed() {
        String code = "import os\nname = input()\nos.system(\"cat \" + name)\n";
        assertThat(scanner.scan(code)).extracting(CodeFinding::ruleId).contains("python.shell-injection");
    }

    @Test
    void proseWithoutCodeHasNoFindings() {
        assertThat(scanner.scan("You should never call eval on user input or build SQL with string concatenation.")).isEmpty();
    }
}
