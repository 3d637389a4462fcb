package io.herd.distribution.models;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the Hugging Face hub, behaving like huggingface.co does for LFS files:
 * {@code /{repo}/resolve/{rev}/{file}} answers 302 with {@code X-Linked-Etag} (the SHA-256) and
 * {@code X-Linked-Size}, and the CDN location serves the bytes, honouring {@code Range}.
 */
final class FakeHub implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    /** The CDN runs on its own port, i.e. another origin, like Hugging Face's CDN hosts. */
    private final HttpServer cdn;
    private final byte[] content;
    private volatile String linkedEtag;
    /** When >= 0, the next CDN response stops after this many body bytes and drops the connection. */
    private final AtomicInteger cutAfterBytes = new AtomicInteger(-1);
    final List<String> rangeHeaders = new CopyOnWriteArrayList<>();
    final List<String> authorizationOnHub = new CopyOnWriteArrayList<>();
    final List<String> authorizationOnCdn = new CopyOnWriteArrayList<>();

    FakeHub(String repo, String revision, String file, byte[] content, String linkedEtag) throws IOException {
        this.content = content;
        this.linkedEtag = linkedEtag;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/" + repo + "/resolve/" + revision + "/" + file, this::resolve);
        server.start();
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn.createContext("/cdn/blob", this::serveBlob);
        cdn.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void cutNextDownloadAfter(int bytes) {
        cutAfterBytes.set(bytes);
    }

    void advertise(String etag) {
        linkedEtag = etag;
    }

    private void resolve(HttpExchange exchange) throws IOException {
        authorizationOnHub.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        int cut = cutAfterBytes.getAndSet(-1);
        String location = cut >= 0 ? droppingCdn(cut) : "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/blob?signature=abc";
        exchange.getResponseHeaders().add("Location", location);
        exchange.getResponseHeaders().add("X-Linked-Etag", "\"" + linkedEtag + "\"");
        exchange.getResponseHeaders().add("X-Linked-Size", Integer.toString(content.length));
        exchange.getResponseHeaders().add("ETag", "W/\"3f-blob-sha1\"");
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void serveBlob(HttpExchange exchange) throws IOException {
        authorizationOnCdn.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        String range = exchange.getRequestHeaders().getFirst("Range");
        rangeHeaders.add(String.valueOf(range));
        int start = 0;
        if (range != null) {
            Matcher m = RANGE.matcher(range);
            if (m.matches()) {
                start = Integer.parseInt(m.group(1));
            }
        }
        if (start >= content.length && range != null) {
            exchange.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
            exchange.sendResponseHeaders(416, -1);
            exchange.close();
            return;
        }
        int length = content.length - start;
        if (range != null) {
            exchange.getResponseHeaders().add("Content-Range",
                    "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
            exchange.sendResponseHeaders(206, length);
        } else {
            exchange.sendResponseHeaders(200, length);
        }
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(content, start, length);
        }
    }

    /**
     * Starts a one-shot raw-socket server that announces the whole file, sends only
     * {@code bytes} of it and drops the connection, as a failing CDN node would.
     */
    private String droppingCdn(int bytes) throws IOException {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (socket; Socket client = socket.accept()) {
                BufferedReader request = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
                String line;
                while ((line = request.readLine()) != null && !line.isEmpty()) {
                    if (line.regionMatches(true, 0, "Range:", 0, 6)) {
                        rangeHeaders.add(line.substring(6).strip());
                    }
                }
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(content, 0, bytes);
                out.flush();
                // Give the client time to read the data before the end arrives: the JDK client drops bytes it
                // still buffers when it sees the connection fail.
                Thread.sleep(300);
                // An orderly end (FIN after the data, then wait for the client to hang up): closing at once can
                // reset the connection and drop bytes the client has not read yet, making the partial size vary.
                client.shutdownOutput();
                client.setSoTimeout(5_000);
                client.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException | InterruptedException ignored) {
                // the client went away first (or the hub is closing); nothing to clean up
            }
        });
        return "http://127.0.0.1:" + socket.getLocalPort() + "/cdn/blob";
    }

    @Override
    public void close() {
        server.stop(0);
        cdn.stop(0);
    }
}
