package io.herd.distribution.models;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line download progress bar, redrawn in place with carriage returns (for a terminal's stderr). */
final class ProgressBar {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final long startedAt;
    private final long startOffset;
    private long lastDrawAt;

    ProgressBar(PrintStream out, String label, long total, long startOffset) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.startOffset = startOffset;
        this.startedAt = System.nanoTime();
    }

    void update(long done) {
        long now = System.nanoTime();
        if (now - lastDrawAt >= REDRAW_NANOS) {
            lastDrawAt = now;
            draw(done, now);
        }
    }

    void finish(long done) {
        draw(done, System.nanoTime());
        out.println();
        out.flush();
    }

    private void draw(long done, long now) {
        double seconds = Math.max((now - startedAt) / 1e9, 1e-3);
        double rate = (done - startOffset) / seconds;
        StringBuilder line = new StringBuilder("\r").append(label).append(' ');
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, WIDTH * done / total);
            line.append(String.format(Locale.ROOT, "%3d%% [", 100 * done / total))
                    .append("=".repeat(filled)).append(filled < WIDTH ? ">" : "")
                    .append(" ".repeat(Math.max(0, WIDTH - filled - 1))).append("] ")
                    .append(megabytes(done)).append('/').append(megabytes(total));
        } else {
            line.append(megabytes(done));
        }
        line.append(String.format(Locale.ROOT, " MB  %.1f MB/s ", rate / 1e6));
        out.print(line);
        out.flush();
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }
}
