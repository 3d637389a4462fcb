package io.herd.distribution.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Downloads model files from a Hugging Face hub through its {@code resolve} URLs
 * ({@code {endpoint}/{repo}/resolve/{revision}/{file}}) into a {@link ModelCache}.
 *
 * <p>Downloads go to a {@code .part} file and resume with an HTTP {@code Range} request when one
 * is left over. The result is checked against a SHA-256: the caller's, or the hub's
 * {@code X-Linked-Etag}/{@code ETag} (the SHA-256 of LFS files). Only a verified file is moved
 * into place; a mismatching one is deleted.
 */
public final class HuggingFaceDownloader {

    public static final String ENDPOINT_ENV = "HF_ENDPOINT";
    public static final String TOKEN_ENV = "HF_TOKEN";
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_REDIRECTS = 10;

    private final URI endpoint;
    private final String token;
    private final ModelCache cache;
    private final PrintStream log;
    private final HttpClient http;
    private final Duration stallTimeout;

    public HuggingFaceDownloader(URI endpoint, String token, ModelCache cache, PrintStream log) {
        this(endpoint, token, cache, log, Duration.ofSeconds(60));
    }

    /** {@code stallTimeout}: a download that receives no byte for this long is aborted (and can be resumed). */
    public HuggingFaceDownloader(URI endpoint, String token, ModelCache cache, PrintStream log, Duration stallTimeout) {
        this.stallTimeout = stallTimeout;
        this.endpoint = stripTrailingSlash(endpoint);
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.cache = cache;
        this.log = log;
        // Redirects are followed by hand so the token is only ever sent to the hub itself,
        // never to the CDN it redirects to, and so the hub's own headers (X-Linked-Etag) are seen.
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    public static HuggingFaceDownloader fromEnvironment(ModelCache cache, PrintStream log) {
        return fromEnvironment(System.getenv(), cache, log);
    }

    public static HuggingFaceDownloader fromEnvironment(Map<String, String> env, ModelCache cache, PrintStream log) {
        String endpoint = env.get(ENDPOINT_ENV);
        URI uri = endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : URI.create(endpoint.strip());
        return new HuggingFaceDownloader(uri, env.get(TOKEN_ENV), cache, log);
    }

    public URI resolveUrl(ModelReference reference) {
        StringBuilder path = new StringBuilder(endpoint.toString()).append('/').append(reference.repo())
                .append("/resolve/").append(encodeSegment(reference.revision()));
        for (String segment : reference.file().split("/")) {
            path.append('/').append(encodeSegment(segment));
        }
        return URI.create(path.toString());
    }

    /**
     * Makes sure the file is in the cache and returns its path. {@code expectedSha256} (hex, may
     * be null) overrides the checksum the hub advertises.
     */
    public Path pull(ModelReference reference, String expectedSha256) {
        String requestedSha = normalizeSha(expectedSha256);
        Path target = cache.pathOf(reference);
        if (Files.isRegularFile(target)) {
            log.println("Model " + reference + " is already cached at " + target);
            return target;
        }
        Path partial = cache.partialPathOf(reference);
        try {
            Files.createDirectories(target.getParent());
            long offset = Files.isRegularFile(partial) ? Files.size(partial) : 0;
            URI url = resolveUrl(reference);
            log.println((offset > 0 ? "Resuming " : "Downloading ") + reference + " from " + url
                    + (offset > 0 ? " at byte " + offset : ""));
            Download download = download(reference, url, partial, offset);
            String expected = requestedSha != null ? requestedSha : download.advertisedSha256().orElse(null);
            if (download.totalBytes() > 0 && Files.size(partial) != download.totalBytes()) {
                throw new ModelDownloadException("download of " + reference + " is incomplete: got " + Files.size(partial)
                        + " of " + download.totalBytes() + " bytes; run the pull again to resume");
            }
            if (expected != null) {
                String actual = sha256(partial);
                if (!actual.equals(expected)) {
                    Files.deleteIfExists(partial);
                    throw new ChecksumMismatchException(reference, expected, actual);
                }
                log.println("Verified sha256 " + actual);
            } else {
                log.println("No sha256 known for " + reference + " (not an LFS file and no --sha256 given); not verified");
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            log.println("Saved " + target);
            return target;
        } catch (IOException e) {
            throw new ModelDownloadException("download of " + reference + " failed: " + e.getMessage()
                    + (Files.exists(partial) ? "; the partial file " + partial + " is kept, run the same pull again to resume" : ""), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelDownloadException("download of " + reference + " was interrupted; run it again to resume", e);
        }
    }

    private record Download(long totalBytes, Optional<String> advertisedSha256) {}

    private Download download(ModelReference reference, URI url, Path partial, long offset)
            throws IOException, InterruptedException {
        String advertisedSha = null;
        long advertisedSize = -1;
        URI current = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current).GET().header("User-Agent", "herd");
            if (offset > 0) {
                request.header("Range", "bytes=" + offset + "-");
            }
            if (token != null && sameOrigin(current, endpoint)) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            HttpHeaders headers = response.headers();
            if (advertisedSha == null) {
                advertisedSha = headers.firstValue("X-Linked-Etag").or(() -> headers.firstValue("ETag"))
                        .map(HuggingFaceDownloader::etagToSha256).orElse(null);
            }
            if (advertisedSize < 0) {
                advertisedSize = headers.firstValue("X-Linked-Size").map(Long::parseLong).orElse(-1L);
            }
            int status = response.statusCode();
            if (status >= 300 && status < 400 && headers.firstValue("Location").isPresent()) {
                response.body().close();
                current = current.resolve(headers.firstValue("Location").get());
                continue;
            }
            try (InputStream body = response.body()) {
                return switch (status) {
                    case 200 -> new Download(receive(reference, body, partial, 0,
                            contentLength(headers).orElse(advertisedSize)), Optional.ofNullable(advertisedSha));
                    case 206 -> {
                        long start = contentRangeStart(headers);
                        if (start != offset) {
                            throw new ModelDownloadException("server resumed " + reference + " at byte " + start
                                    + " but " + offset + " bytes are on disk");
                        }
                        long total = contentRangeTotal(headers).orElse(advertisedSize);
                        yield new Download(receive(reference, body, partial, offset, total), Optional.ofNullable(advertisedSha));
                    }
                    // The partial file already holds every byte: nothing left to fetch.
                    case 416 -> new Download(offset, Optional.ofNullable(advertisedSha));
                    case 401, 403 -> throw new ModelDownloadException("access to " + reference + " was refused (HTTP " + status
                            + "); gated repositories need a token in " + TOKEN_ENV);
                    case 404 -> throw new ModelDownloadException("not found: " + reference + " (" + url + ")");
                    default -> throw new ModelDownloadException("downloading " + reference + " failed with HTTP " + status
                            + " from " + current);
                };
            }
        }
        throw new ModelDownloadException("too many redirects while downloading " + reference + " from " + url);
    }

    /** Writes the body to the partial file from {@code offset}; returns the expected total size (-1 if unknown). */
    private long receive(ModelReference reference, InputStream body, Path partial, long offset, long total) throws IOException {
        StandardOpenOption mode = offset > 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        ProgressBar progress = new ProgressBar(log, reference.file(), total, offset);
        long done = offset;
        // The HTTP client has no read timeout on bodies: a watchdog closes a stalled stream,
        // which turns the blocked read into an IOException (the partial file stays resumable).
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().name("herd-download-watchdog").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(Math.max(10, stallTimeout.toMillis() / 4));
                    if (System.nanoTime() - lastProgress.get() > stallTimeout.toNanos()) {
                        stalled.set(true);
                        body.close();
                        return;
                    }
                }
            } catch (InterruptedException | IOException ignored) {
                // download finished, or the stream is already closed
            }
        });
        try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            byte[] buffer = new byte[1 << 16];
            int read;
            while ((read = body.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                done += read;
                lastProgress.set(System.nanoTime());
                progress.update(done);
            }
        } catch (IOException e) {
            if (stalled.get()) {
                throw new IOException("no data received for " + stallTimeout.toSeconds() + "s after " + done + " bytes", e);
            }
            throw e;
        } finally {
            watchdog.interrupt();
            progress.finish(done);
        }
        if (stalled.get()) {
            throw new IOException("no data received for " + stallTimeout.toSeconds() + "s after " + done + " bytes");
        }
        return total;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Hugging Face ETags of LFS files are the file's SHA-256; git blob ETags (SHA-1) are not usable. */
    static String etagToSha256(String etag) {
        String value = etag.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        value = value.replace("\"", "").toLowerCase(Locale.ROOT);
        return SHA256.matcher(value).matches() ? value : null;
    }

    private static String normalizeSha(String sha) {
        if (sha == null || sha.isBlank()) {
            return null;
        }
        String value = sha.strip().toLowerCase(Locale.ROOT);
        if (value.startsWith("sha256:")) {
            value = value.substring("sha256:".length());
        }
        if (!SHA256.matcher(value).matches()) {
            throw new IllegalArgumentException("--sha256 must be 64 hex digits, got: " + sha);
        }
        return value;
    }

    private static Optional<Long> contentLength(HttpHeaders headers) {
        return headers.firstValueAsLong("Content-Length").stream().boxed().findFirst();
    }

    private static long contentRangeStart(HttpHeaders headers) {
        // Content-Range: bytes START-END/TOTAL
        String range = headers.firstValue("Content-Range").orElseThrow(() ->
                new ModelDownloadException("partial response without a Content-Range header"));
        String spec = range.replaceFirst("^bytes\\s+", "");
        return Long.parseLong(spec.substring(0, spec.indexOf('-')).strip());
    }

    private static Optional<Long> contentRangeTotal(HttpHeaders headers) {
        return headers.firstValue("Content-Range").map(r -> r.substring(r.indexOf('/') + 1).strip())
                .filter(t -> !t.equals("*")).map(Long::parseLong);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort();
    }

    private static String encodeSegment(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static URI stripTrailingSlash(URI uri) {
        String text = uri.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
    }
}
