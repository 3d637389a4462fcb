package io.herd.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What every vocabulary-based tokenizer shares: the bytes each id stands for, token types,
 * special-token lookup and splitting, BOS/EOS/stop tokens, and decoding. Subclasses supply
 * the algorithm that turns a run of plain text into ids.
 */
abstract class VocabularyTokenizer implements Tokenizer {

    private final byte[][] pieces;
    private final TokenType[] types;
    private final Map<String, Integer> specialByText;
    private final SpecialTokenSplitter splitter;
    private final int bos;
    private final int eos;
    private final Set<Integer> stopTokens;
    private final boolean addBos;

    /**
     * @param pieces      the bytes each token decodes to (special tokens: their text)
     * @param texts       token texts as written in the vocabulary, used to match special tokens in input
     * @param types       token types
     * @param bos         BOS id, or -1 when the vocabulary has none
     * @param eos         EOS id, or -1 when the vocabulary has none
     * @param extraStops  further end-of-generation tokens besides EOS
     * @param addBos      whether prompts get a BOS by default
     */
    VocabularyTokenizer(byte[][] pieces, String[] texts, TokenType[] types, int bos, int eos,
                        Set<Integer> extraStops, boolean addBos) {
        if (pieces.length != types.length || texts.length != types.length) {
            throw new IllegalArgumentException("vocabulary arrays differ in length: " + pieces.length
                    + " pieces, " + texts.length + " texts, " + types.length + " types");
        }
        this.pieces = pieces;
        this.types = types;
        this.bos = checkId("BOS", bos, pieces.length);
        this.eos = checkId("EOS", eos, pieces.length);
        this.addBos = addBos && bos >= 0;
        this.specialByText = new HashMap<>();
        for (int id = 0; id < texts.length; id++) {
            if (types[id].isMatchedAsText() && texts[id] != null) {
                specialByText.putIfAbsent(texts[id], id);
            }
        }
        this.splitter = new SpecialTokenSplitter(texts, types);
        Set<Integer> stops = new LinkedHashSet<>();
        if (eos >= 0) {
            stops.add(eos);
        }
        for (int stop : extraStops) {
            stops.add(checkId("stop", stop, pieces.length));
        }
        this.stopTokens = Set.copyOf(stops);
    }

    private static int checkId(String what, int id, int vocabularySize) {
        if (id >= vocabularySize || id < -1) {
            throw new IllegalArgumentException(what + " token id " + id + " is outside the vocabulary of "
                    + vocabularySize + " tokens");
        }
        return id;
    }

    /**
     * Appends the ids of a run of plain text (no special tokens in it).
     *
     * @param afterSpecial whether the run starts the input or follows a special token
     */
    protected abstract void encodeText(String text, boolean afterSpecial, IntList out);

    /** Whether decoding drops one leading space from the first text token (SentencePiece's dummy prefix). */
    protected boolean stripsLeadingSpace() {
        return false;
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        Objects.requireNonNull(text, "text to encode is null");
        List<SpecialTokenSplitter.Fragment> fragments = splitter.split(text, parseSpecial);
        IntList out = new IntList(text.length() / 3 + 2);
        if (addBos) {
            if (bos < 0) {
                throw new IllegalStateException("this vocabulary has no BOS token to add");
            }
            out.add(bos);
        }
        boolean afterSpecial = true;
        for (SpecialTokenSplitter.Fragment fragment : fragments) {
            switch (fragment) {
                case SpecialTokenSplitter.TextFragment(String run) -> {
                    encodeText(run, afterSpecial, out);
                    afterSpecial = false;
                }
                case SpecialTokenSplitter.TokenFragment(int token) -> {
                    out.add(token);
                    afterSpecial = true;
                }
            }
        }
        return out.toArray();
    }

    @Override
    public int vocabularySize() {
        return pieces.length;
    }

    @Override
    public byte[] tokenBytes(int token) {
        return piece(token).clone();
    }

    /** The shared piece array of a token; callers must not modify it. */
    final byte[] piece(int token) {
        if (token < 0 || token >= pieces.length) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of "
                    + pieces.length + " tokens");
        }
        return pieces[token];
    }

    final TokenType type(int token) {
        piece(token);
        return types[token];
    }

    @Override
    public String decode(int[] tokens) {
        return decode(tokens, true);
    }

    @Override
    public String decode(int[] tokens, boolean renderSpecial) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(tokens.length * 4);
        boolean atStart = true;
        for (int token : tokens) {
            byte[] piece = piece(token);
            if (isSpecial(token)) {
                if (renderSpecial) {
                    bytes.writeBytes(piece);
                }
                continue;
            }
            int from = atStart && stripsLeadingSpace() && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            bytes.write(piece, from, piece.length - from);
            atStart = false;
        }
        return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }

    @Override
    public boolean addsSpacePrefix() {
        return stripsLeadingSpace();
    }

    @Override
    public int bosToken() {
        return bos;
    }

    @Override
    public int eosToken() {
        return eos;
    }

    @Override
    public Set<Integer> stopTokens() {
        return stopTokens;
    }

    @Override
    public OptionalInt specialToken(String text) {
        Integer id = specialByText.get(text);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public boolean isSpecial(int token) {
        return type(token).isSpecial();
    }

    @Override
    public boolean addsBosByDefault() {
        return addBos;
    }
}
