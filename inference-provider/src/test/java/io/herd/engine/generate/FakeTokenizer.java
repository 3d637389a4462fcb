package io.herd.engine.generate;

import io.herd.engine.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Test double: a vocabulary given as a list of pieces; encoding is greedy longest match, and with
 * parseSpecial the special pieces are matched as tokens.
 */
public final class FakeTokenizer implements Tokenizer {

    private final List<byte[]> pieces = new ArrayList<>();
    private final Map<String, Integer> specials = new HashMap<>();
    private final Set<Integer> stopTokens;
    private final int bos;
    private final int eos;

    public FakeTokenizer(List<String> vocabulary, Set<String> specialPieces, String bosPiece, String eosPiece,
                         Set<String> stopPieces) {
        for (int i = 0; i < vocabulary.size(); i++) {
            pieces.add(vocabulary.get(i).getBytes(StandardCharsets.UTF_8));
            if (specialPieces.contains(vocabulary.get(i))) {
                specials.put(vocabulary.get(i), i);
            }
        }
        this.bos = vocabulary.indexOf(bosPiece);
        this.eos = vocabulary.indexOf(eosPiece);
        this.stopTokens = Set.copyOf(stopPieces.stream().map(vocabulary::indexOf).toList());
    }

    /** Replaces the bytes of one token, e.g. with half of a UTF-8 sequence. */
    public FakeTokenizer withBytes(int token, byte[] bytes) {
        pieces.set(token, bytes.clone());
        return this;
    }

    public int id(String piece) {
        for (int i = 0; i < pieces.size(); i++) {
            if (new String(pieces.get(i), StandardCharsets.UTF_8).equals(piece)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no token " + piece);
    }

    @Override
    public int vocabularySize() {
        return pieces.size();
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        List<Integer> ids = new ArrayList<>();
        if (addBos) {
            ids.add(bos);
        }
        int at = 0;
        while (at < text.length()) {
            int best = -1;
            int bestLength = 0;
            for (int i = 0; i < pieces.size(); i++) {
                String piece = new String(pieces.get(i), StandardCharsets.UTF_8);
                boolean special = specials.containsKey(piece);
                if (piece.isEmpty() || (special && !parseSpecial)) {
                    continue;
                }
                if (piece.length() > bestLength && text.startsWith(piece, at)) {
                    best = i;
                    bestLength = piece.length();
                }
            }
            if (best < 0) {
                throw new IllegalArgumentException("cannot encode '" + text.substring(at) + "'");
            }
            ids.add(best);
            at += bestLength;
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public byte[] tokenBytes(int token) {
        return pieces.get(token).clone();
    }

    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int token : tokens) {
            out.writeBytes(pieces.get(token));
        }
        return out.toString(StandardCharsets.UTF_8);
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
        Integer id = specials.get(text);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public boolean isSpecial(int token) {
        return specials.containsValue(token);
    }
}
