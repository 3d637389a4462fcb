package io.herd.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as Llama 3 uses it: the pre-tokenizer regex cuts text into words; a word that is
 * itself a token is taken whole (tiktoken, and llama.cpp's {@code ignore_merges}); otherwise its
 * UTF-8 bytes start as single-byte tokens and the adjacent pair with the lowest merge rank is joined
 * (leftmost on ties) until no pair can be joined. A heap keeps this O(n log n) in the word length,
 * and encoded words are cached.
 *
 * <p>Ranks come either from a GGUF merge list (rank = position of the rule "left right"), or, for
 * tiktoken vocabularies, from the vocabulary itself: two parts join when their concatenated bytes
 * are a token, at that token's rank (its id).
 */
public final class ByteLevelBpeTokenizer extends VocabularyTokenizer {

    private static final int WORD_CACHE_LIMIT = 65_536;
    private static final int CACHED_WORD_MAX_LENGTH = 128;

    // Meta's tokenizer.py feeds tiktoken at most 400k characters at a time, each cut further so
    // that no run of whitespace or of non-whitespace exceeds 25k characters (tiktoken issue 195)
    private static final int META_MAX_ENCODE_CHARS = 400_000;
    private static final int META_MAX_RUN_CHARS = 25_000;

    private final ByteSliceIndex idByBytes;
    private final int[] byteTokens;
    private final MergeTable merges; // null: tiktoken's rule, rank of the concatenation
    private final int maxTokenLength;
    private final int[] hashPowers;
    private final PreTokenizer preTokenizer;
    private final boolean chunkLikeMeta;
    private final Map<String, int[]> wordCache = new ConcurrentHashMap<>();

    /**
     * @param pieces        bytes of each token (special tokens: their text)
     * @param texts         token texts used to match special tokens in input
     * @param types         token types; NORMAL tokens take part in BPE
     * @param merges        merge rules by token-id pair, or null to join parts whose concatenation is a token
     * @param chunkLikeMeta whether to cut long input as Meta's {@code tokenizer.py} does before encoding
     */
    ByteLevelBpeTokenizer(byte[][] pieces, String[] texts, TokenType[] types, MergeTable merges,
                          PreTokenizer preTokenizer, int bos, int eos, Set<Integer> extraStops, boolean addBos,
                          boolean chunkLikeMeta) {
        super(pieces, texts, types, bos, eos, extraStops, addBos);
        this.merges = merges;
        this.preTokenizer = preTokenizer;
        this.chunkLikeMeta = chunkLikeMeta;
        boolean[] normal = new boolean[pieces.length];
        for (int id = 0; id < pieces.length; id++) {
            normal[id] = types[id] == TokenType.NORMAL;
        }
        this.idByBytes = new ByteSliceIndex(pieces, normal);
        int longest = 1;
        for (int id = 0; id < pieces.length; id++) {
            if (normal[id]) {
                longest = Math.max(longest, pieces[id].length);
            }
        }
        this.maxTokenLength = longest;
        this.hashPowers = new int[longest + 1];
        hashPowers[0] = 1;
        for (int i = 1; i <= longest; i++) {
            hashPowers[i] = hashPowers[i - 1] * ByteSliceIndex.MULTIPLIER;
        }
        this.byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            int id = idByBytes.get(new byte[] {(byte) b});
            if (id < 0) {
                throw new IllegalArgumentException(String.format(
                        "byte-level BPE vocabulary has no token for byte 0x%02X", b));
            }
            byteTokens[b] = id;
        }
    }

    /** Bytes as a string of chars 0-255: a compact hash key that Java stores one byte per char. */
    static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    @Override
    protected void encodeText(String text, boolean afterSpecial, IntList out) {
        if (!chunkLikeMeta || text.length() <= META_MAX_RUN_CHARS) {
            encodeChunk(text, out);
            return;
        }
        for (int start = 0; start < text.length(); ) {
            int end = text.offsetByCodePoints(start, Math.min(META_MAX_ENCODE_CHARS,
                    text.codePointCount(start, text.length())));
            cutRuns(text.substring(start, end), out);
            start = end;
        }
    }

    /** Meta's {@code _split_whitespaces_or_nonwhitespaces}, counting code points as Python does. */
    private void cutRuns(String text, IntList out) {
        int sliceStart = 0;
        int runLength = 0;
        boolean runIsSpace = !text.isEmpty() && isPythonSpace(text.codePointAt(0));
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            boolean isSpace = isPythonSpace(codePoint);
            if (runIsSpace != isSpace) {
                runLength = 1;
                runIsSpace = isSpace;
            } else if (++runLength > META_MAX_RUN_CHARS) {
                encodeChunk(text.substring(sliceStart, i), out);
                sliceStart = i;
                runLength = 1;
            }
            i += Character.charCount(codePoint);
        }
        encodeChunk(text.substring(sliceStart), out);
    }

    /** Python's {@code str.isspace}: Unicode whitespace including no-break spaces and NEL. */
    private static boolean isPythonSpace(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint) || codePoint == 0x85;
    }

    private void encodeChunk(String text, IntList out) {
        preTokenizer.forEachWord(text, word -> out.addAll(encodeWord(word)));
    }

    private int[] encodeWord(String word) {
        boolean cacheable = word.length() <= CACHED_WORD_MAX_LENGTH;
        if (cacheable) {
            int[] cached = wordCache.get(word);
            if (cached != null) {
                return cached;
            }
        }
        int[] ids = mergeWord(word.getBytes(StandardCharsets.UTF_8));
        if (cacheable) {
            if (wordCache.size() >= WORD_CACHE_LIMIT) {
                wordCache.clear();
            }
            wordCache.put(word, ids);
        }
        return ids;
    }

    private int[] mergeWord(byte[] bytes) {
        int whole = idByBytes.get(bytes);
        if (whole >= 0) {
            return new int[] {whole};
        }
        Word word = new Word(bytes);
        // heap entries: rank << 32 | left position, so the lowest rank, then the leftmost, comes first
        LongHeap heap = new LongHeap(word.n);
        for (int i = 0; i + 1 < word.n; i++) {
            offer(word, i, i + 1, heap);
        }
        int remaining = word.n;
        while (!heap.isEmpty()) {
            long entry = heap.poll();
            int left = (int) entry;
            int right = word.next[left];
            if (word.tokens[left] < 0 || right < 0) {
                continue;
            }
            long rule = rule(word, left, right);
            // stale entry: the pair at this position changed since it was queued
            if (rule == MergeTable.ABSENT || (rule >>> 32) != (entry >>> 32)) {
                continue;
            }
            word.join(left, right, (int) rule);
            remaining--;
            if (word.prev[left] >= 0) {
                offer(word, word.prev[left], left, heap);
            }
            if (word.next[left] >= 0) {
                offer(word, left, word.next[left], heap);
            }
        }
        int[] result = new int[remaining];
        for (int i = 0, k = 0; i != -1; i = word.next[i]) {
            result[k++] = word.tokens[i];
        }
        return result;
    }

    /** The parts of a word being merged: a linked list over byte positions. */
    private final class Word {
        final byte[] bytes;
        final int n;
        final int[] tokens;
        final int[] end;
        final int[] prev;
        final int[] next;
        final int[] prefixHash;

        Word(byte[] bytes) {
            this.bytes = bytes;
            this.n = bytes.length;
            tokens = new int[n];
            end = new int[n];
            prev = new int[n];
            next = new int[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = byteTokens[bytes[i] & 0xFF];
                end[i] = i + 1;
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
            }
            if (merges == null) {
                prefixHash = new int[n + 1];
                for (int i = 0; i < n; i++) {
                    prefixHash[i + 1] = prefixHash[i] * ByteSliceIndex.MULTIPLIER + (bytes[i] & 0xFF);
                }
            } else {
                prefixHash = null;
            }
        }

        void join(int left, int right, int merged) {
            tokens[left] = merged;
            end[left] = end[right];
            tokens[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
        }
    }

    /** {@code rank << 32 | merged token} for joining the parts at {@code left} and {@code right}, or ABSENT. */
    private long rule(Word word, int left, int right) {
        if (merges != null) {
            return merges.get(word.tokens[left], word.tokens[right]);
        }
        // parts are contiguous: part i covers bytes [i, end[i])
        int from = left;
        int to = word.end[right];
        if (to - from > maxTokenLength) {
            return MergeTable.ABSENT;
        }
        int hash = word.prefixHash[to] - word.prefixHash[from] * hashPowers[to - from];
        int id = idByBytes.get(word.bytes, from, to, hash);
        return id < 0 ? MergeTable.ABSENT : ((long) id << 32) | id;
    }

    private void offer(Word word, int left, int right, LongHeap heap) {
        long rule = rule(word, left, right);
        if (rule != MergeTable.ABSENT) {
            heap.add((rule & 0xFFFFFFFF00000000L) | left);
        }
    }
}
