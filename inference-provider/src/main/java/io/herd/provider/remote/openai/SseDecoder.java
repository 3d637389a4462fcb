package io.herd.provider.remote.openai;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental server-sent-events parser: feed it the body's byte buffers as they arrive, get back the
 * {@code data} of each complete event. Lines may be split anywhere, even inside a UTF-8 sequence, because
 * bytes are only decoded once a whole line is in. Multi-line data is joined with {@code \n}; comments and
 * other fields ({@code event:}, {@code id:}) are ignored, as OpenAI streams carry none that matter.
 */
final class SseDecoder {

    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private boolean lastWasCr;

    List<String> feed(ByteBuffer buffer) {
        List<String> events = new ArrayList<>(2);
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\n' || b == '\r') {
                endLine(events);
            } else {
                line.write(b);
            }
        }
        return events;
    }

    /** The last event when the stream ends without a blank line after it. */
    List<String> finish() {
        List<String> events = new ArrayList<>(1);
        if (line.size() > 0) {
            endLine(events);
        }
        if (hasData) {
            events.add(data.toString());
            data.setLength(0);
            hasData = false;
        }
        return events;
    }

    private void endLine(List<String> events) {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isEmpty()) {
            if (hasData) {
                events.add(data.toString());
                data.setLength(0);
                hasData = false;
            }
            return;
        }
        if (text.startsWith("data:")) {
            String value = text.substring(5);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (hasData) {
                data.append('\n');
            }
            data.append(value);
            hasData = true;
        }
    }
}
