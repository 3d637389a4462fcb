package io.herd.distribution.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HuggingFaceDownloaderTest {

    private static final String REPO = "owner/tiny-GGUF";
    private static final String FILE = "tiny-Q4_K_M.gguf";
    private static final ModelReference REFERENCE = new ModelReference(REPO, FILE, "main");

    @TempDir
    Path home;

    private byte[] content;
    private String sha256;
    private FakeHub hub;
    private ModelCache cache;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void startHub() throws Exception {
        content = new byte[300_000];
        new Random(42).nextBytes(content);
        // Independent reference checksum: computed directly with the JDK over the served bytes.
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        hub = new FakeHub(REPO, "main", FILE, content, sha256);
        cache = new ModelCache(home.resolve("models"));
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private HuggingFaceDownloader downloader(String token) {
        return new HuggingFaceDownloader(hub.endpoint(), token, cache, new PrintStream(log, true, StandardCharsets.UTF_8),
                Duration.ofSeconds(2));
    }

    @Test
    void downloadsVerifiesAndCachesTheFile() throws IOException {
        Path path = downloader(null).pull(REFERENCE, null);

        assertThat(path).isEqualTo(home.resolve("models/owner/tiny-GGUF/tiny-Q4_K_M.gguf"));
        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(Files.exists(cache.partialPathOf(REFERENCE))).isFalse();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("Verified sha256 " + sha256).contains("100%");
        assertThat(cache.list()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo("tiny-Q4_K_M");
            assertThat(m.sizeBytes()).isEqualTo(content.length);
        });
    }

    @Test
    void resumesAnInterruptedDownloadWithARangeRequest() throws IOException {
        hub.cutNextDownloadAfter(100_000);
        assertThatThrownBy(() -> downloader(null).pull(REFERENCE, null))
                .isInstanceOf(ModelDownloadException.class)
                .hasMessageContaining("run the same pull again to resume");
        Path partial = cache.partialPathOf(REFERENCE);
        // The JDK client may discard body bytes it had buffered but not handed out when the connection
        // fails, so the partial file holds at most what was sent; resuming must start from what it holds.
        long kept = Files.size(partial);
        assertThat(kept).isPositive().isLessThanOrEqualTo(100_000);
        assertThat(Files.exists(cache.pathOf(REFERENCE))).isFalse();

        Path path = downloader(null).pull(REFERENCE, null);

        // The dropped request had no Range (raw socket records none); the resumed one asks for the rest.
        assertThat(hub.rangeHeaders).containsExactly("bytes=" + kept + "-");
        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(Files.exists(partial)).isFalse();
    }

    @Test
    void checksumMismatchFailsClearlyAndLeavesNoFileBehind() {
        hub.advertise("0".repeat(64));

        assertThatThrownBy(() -> downloader(null).pull(REFERENCE, null))
                .isInstanceOf(ChecksumMismatchException.class)
                .hasMessageContaining("checksum mismatch for " + REFERENCE)
                .hasMessageContaining("0".repeat(64))
                .hasMessageContaining(sha256);
        assertThat(Files.exists(cache.pathOf(REFERENCE))).isFalse();
        assertThat(Files.exists(cache.partialPathOf(REFERENCE))).isFalse();
        assertThat(cache.list()).isEmpty();
    }

    @Test
    void aGivenSha256OverridesTheAdvertisedOne() {
        String wrong = "ab".repeat(32);
        assertThatThrownBy(() -> downloader(null).pull(REFERENCE, wrong))
                .isInstanceOf(ChecksumMismatchException.class)
                .hasMessageContaining(wrong);
        assertThat(cache.list()).isEmpty();
    }

    @Test
    void sendsTheTokenToTheHubButNotToTheCdn() {
        downloader("hf_secret").pull(REFERENCE, null);

        assertThat(hub.authorizationOnHub).containsExactly("Bearer hf_secret");
        assertThat(hub.authorizationOnCdn).containsExactly("null");
    }

    @Test
    void missingFileIsReportedAsNotFound() {
        ModelReference missing = new ModelReference(REPO, "nope.gguf", "main");
        assertThatThrownBy(() -> downloader(null).pull(missing, null))
                .isInstanceOf(ModelDownloadException.class)
                .hasMessageContaining("not found: owner/tiny-GGUF/nope.gguf");
    }

    @Test
    void anAlreadyCachedModelIsNotDownloadedAgain() {
        downloader(null).pull(REFERENCE, null);
        downloader(null).pull(REFERENCE, null);
        assertThat(hub.rangeHeaders).hasSize(1);
    }

    @Test
    void removeDeletesTheModelAndItsEmptyDirectories() {
        downloader(null).pull(REFERENCE, null);
        cache.remove("tiny-Q4_K_M");
        assertThat(cache.list()).isEmpty();
        assertThat(home.resolve("models/owner")).doesNotExist();
        assertThatThrownBy(() -> cache.remove("tiny-Q4_K_M")).hasMessageContaining("no cached model named 'tiny-Q4_K_M'");
    }

    @Test
    void hubEtagsAreOnlyTrustedWhenTheyAreSha256() {
        assertThat(HuggingFaceDownloader.etagToSha256("\"" + "A".repeat(64) + "\"")).isEqualTo("a".repeat(64));
        assertThat(HuggingFaceDownloader.etagToSha256("W/\"3f-blob-sha1\"")).isNull();
        assertThat(HuggingFaceDownloader.etagToSha256("\"" + "a".repeat(40) + "\"")).isNull();
    }
}
