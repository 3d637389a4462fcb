package io.herd.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The tokenizer of Karpathy's llama2.c ({@code tokenizer.bin}, {@code tok512.bin}), encoding as its
 * {@code run.c} does: a dummy-prefix space token, one token per UTF-8 character or, for characters
 * not in the vocabulary, one byte token per byte (id = byte + 3), then repeated merging of the
 * adjacent pair whose concatenated text is the highest-scoring vocabulary entry. The pair with
 * the best score is found with a priority queue instead of run.c's full rescan; the order of
 * merges, and so the result, is the same (leftmost pair on equal scores).
 */
public final class Llama2cTokenizer extends VocabularyTokenizer {

    static final int UNKNOWN = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    private static final int FIRST_BYTE_TOKEN = 3;

    private final String[] vocabTexts;
    private final float[] scores;
    private final Map<String, Integer> idByText;
    private final int spaceToken;

    /**
     * @param vocab  token bytes as stored in the file (spaces as spaces, bytes as {@code <0xNN>},
     *               BOS and EOS as {@code "\n<s>\n"} and {@code "\n</s>\n"})
     * @param scores merge scores
     */
    public Llama2cTokenizer(byte[][] vocab, float[] scores) {
        this(latin1Texts(vocab), vocab, scores);
    }

    // run.c compares C strings, so merging works on bytes: Latin-1 strings hold one byte per char
    private Llama2cTokenizer(String[] vocabTexts, byte[][] vocab, float[] scores) {
        super(pieces(vocab, types(vocabTexts)), specialTexts(vocabTexts.length), types(vocabTexts), BOS, EOS,
                Set.of(BOS), true);
        if (scores.length != vocabTexts.length) {
            throw new IllegalArgumentException("llama2.c vocabulary has " + vocabTexts.length + " tokens but "
                    + scores.length + " scores");
        }
        this.vocabTexts = vocabTexts;
        this.scores = scores;
        this.idByText = new HashMap<>(vocabTexts.length * 2);
        for (int id = 0; id < vocabTexts.length; id++) {
            idByText.putIfAbsent(vocabTexts[id], id);
        }
        Integer space = idByText.get(" ");
        this.spaceToken = space != null ? space : FIRST_BYTE_TOKEN + ' ';
    }

    private static String[] latin1Texts(byte[][] vocab) {
        String[] texts = new String[vocab.length];
        for (int id = 0; id < vocab.length; id++) {
            texts[id] = ByteLevelBpeTokenizer.latin1(vocab[id]);
        }
        return texts;
    }

    private static TokenType[] types(String[] texts) {
        if (texts.length < FIRST_BYTE_TOKEN + 256) {
            throw new IllegalArgumentException("llama2.c vocabulary of " + texts.length
                    + " tokens is too small: ids 0-2 are <unk>, <s>, </s> and 3-258 the bytes");
        }
        TokenType[] types = new TokenType[texts.length];
        for (int id = 0; id < texts.length; id++) {
            types[id] = switch (id) {
                case UNKNOWN -> TokenType.UNKNOWN;
                case BOS, EOS -> TokenType.CONTROL;
                default -> id < FIRST_BYTE_TOKEN + 256 && texts[id].equals(String.format("<0x%02X>", id - FIRST_BYTE_TOKEN))
                        ? TokenType.BYTE : TokenType.NORMAL;
            };
        }
        return types;
    }

    /**
     * Texts for special-token matching: only the three specials, in their bare form (the export
     * script wraps BOS and EOS in newlines).
     */
    private static String[] specialTexts(int vocabularySize) {
        String[] result = new String[vocabularySize];
        result[UNKNOWN] = "<unk>";
        result[BOS] = "<s>";
        result[EOS] = "</s>";
        return result;
    }

    private static byte[][] pieces(byte[][] vocab, TokenType[] types) {
        byte[][] pieces = new byte[vocab.length][];
        for (int id = 0; id < vocab.length; id++) {
            pieces[id] = types[id] == TokenType.BYTE ? new byte[] {(byte) (id - FIRST_BYTE_TOKEN)} : vocab[id].clone();
        }
        pieces[UNKNOWN] = "<unk>".getBytes(StandardCharsets.US_ASCII);
        pieces[BOS] = "<s>".getBytes(StandardCharsets.US_ASCII);
        pieces[EOS] = "</s>".getBytes(StandardCharsets.US_ASCII);
        return pieces;
    }

    @Override
    protected boolean stripsLeadingSpace() {
        return true;
    }

    private record Merge(int left, int right, int leftToken, int rightToken, int merged, float score) {
    }

    @Override
    protected void encodeText(String text, boolean afterSpecial, IntList out) {
        IntList initial = new IntList(text.length() + 1);
        if (afterSpecial && !text.isEmpty()) {
            initial.add(spaceToken);
        }
        for (int offset = 0; offset < text.length(); ) {
            int codePoint = text.codePointAt(offset);
            int end = offset + Character.charCount(codePoint);
            byte[] character = text.substring(offset, end).getBytes(StandardCharsets.UTF_8);
            Integer id = idByText.get(ByteLevelBpeTokenizer.latin1(character));
            if (id != null) {
                initial.add(id);
            } else {
                for (byte b : character) {
                    initial.add((b & 0xFF) + FIRST_BYTE_TOKEN);
                }
            }
            offset = end;
        }
        int[] tokens = initial.toArray();
        int n = tokens.length;
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Merge> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            offerMerge(tokens, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Merge merge = queue.poll();
            int left = merge.left;
            int right = merge.right;
            if (tokens[left] != merge.leftToken || tokens[right] != merge.rightToken || next[left] != right) {
                continue;
            }
            tokens[left] = merge.merged;
            tokens[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            offerMerge(tokens, prev[left], left, queue);
            offerMerge(tokens, left, next[left], queue);
        }
        for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
            out.add(tokens[i]);
        }
    }

    private void offerMerge(int[] tokens, int left, int right, PriorityQueue<Merge> queue) {
        if (left < 0 || right < 0) {
            return;
        }
        Integer merged = idByText.get(vocabTexts[tokens[left]] + vocabTexts[tokens[right]]);
        if (merged != null) {
            queue.add(new Merge(left, right, tokens[left], tokens[right], merged, scores[merged]));
        }
    }
}
