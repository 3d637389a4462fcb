package io.herd.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * SentencePiece BPE as Llama 1/2 use it (GGUF {@code tokenizer.ggml.model = llama}), following
 * llama.cpp's {@code llm_tokenizer_spm}: spaces become U+2581, a dummy-prefix space starts the
 * text (and any text right after a special token), adjacent symbols are merged highest vocabulary
 * score first (leftmost on ties) as long as the merged text is a token, and whatever is left that
 * is not a token is spelled with {@code <0xNN>} byte tokens.
 */
public final class SentencePieceTokenizer extends VocabularyTokenizer {

    static final char SPACE_MARK = '\u2581';

    private final Map<String, Integer> idByText;
    private final float[] scores;
    private final int[] byteTokens;
    private final boolean addSpacePrefix;

    /**
     * @param texts          piece texts (spaces written as U+2581, bytes as {@code <0xNN>})
     * @param scores         merge scores, one per piece
     * @param types          piece types
     * @param unknown        the unknown-piece id, used when a byte has no token, or -1
     * @param addSpacePrefix whether text gets a leading space (GGUF {@code tokenizer.ggml.add_space_prefix})
     */
    public SentencePieceTokenizer(String[] texts, float[] scores, TokenType[] types, int bos, int eos, int unknown,
                                  Set<Integer> extraStops, boolean addBos, boolean addSpacePrefix) {
        super(pieces(texts, types), texts, types, bos, eos, extraStops, addBos);
        if (scores.length != texts.length) {
            throw new IllegalArgumentException("SentencePiece vocabulary has " + texts.length + " pieces but "
                    + scores.length + " scores");
        }
        this.scores = scores;
        this.addSpacePrefix = addSpacePrefix;
        this.idByText = new HashMap<>(texts.length * 2);
        for (int id = 0; id < texts.length; id++) {
            idByText.put(texts[id], id);
        }
        this.byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = idByText.get(String.format("<0x%02X>", b));
            if (id == null && b < 0x80) {
                id = idByText.get(String.valueOf((char) b));
            }
            byteTokens[b] = id != null ? id : unknown;
        }
    }

    private static byte[][] pieces(String[] texts, TokenType[] types) {
        byte[][] pieces = new byte[texts.length][];
        for (int id = 0; id < texts.length; id++) {
            pieces[id] = switch (types[id]) {
                case NORMAL -> texts[id].replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
                case BYTE -> new byte[] {parseByteToken(texts[id])};
                case CONTROL, UNKNOWN, USER_DEFINED -> texts[id].getBytes(StandardCharsets.UTF_8);
                case UNUSED, UNDEFINED -> new byte[0];
            };
        }
        return pieces;
    }

    private static byte parseByteToken(String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            try {
                return (byte) Integer.parseInt(text.substring(3, 5), 16);
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        throw new IllegalArgumentException("byte token '" + text + "' is not of the form <0xNN>");
    }

    @Override
    protected boolean stripsLeadingSpace() {
        return addSpacePrefix;
    }

    private record Bigram(int left, int right, float score, int length) {
    }

    @Override
    protected void encodeText(String text, boolean afterSpecial, IntList out) {
        String escaped = ((addSpacePrefix && afterSpecial) ? " " + text : text).replace(' ', SPACE_MARK);
        int n = escaped.codePointCount(0, escaped.length());
        // symbol i covers escaped[start[i], start[i] + length[i]); merged-away symbols have length 0
        int[] start = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            int charCount = Character.charCount(escaped.codePointAt(offset));
            start[i] = offset;
            length[i] = charCount;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            offset += charCount;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            offerBigram(escaped, start, length, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int left = bigram.left;
            int right = bigram.right;
            // stale: one side was merged into something else since this pair was queued
            if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != bigram.length) {
                continue;
            }
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            offerBigram(escaped, start, length, prev[left], left, queue);
            offerBigram(escaped, start, length, left, next[left], queue);
        }
        for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
            String symbol = escaped.substring(start[i], start[i] + length[i]);
            Integer id = idByText.get(symbol);
            if (id != null) {
                out.add(id);
            } else {
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteTokens[b & 0xFF]);
                }
            }
        }
    }

    private void offerBigram(String text, int[] start, int[] length, int left, int right, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        int size = length[left] + length[right];
        Integer id = idByText.get(text.substring(start[left], start[left] + size));
        if (id != null) {
            queue.add(new Bigram(left, right, scores[id], size));
        }
    }
}
