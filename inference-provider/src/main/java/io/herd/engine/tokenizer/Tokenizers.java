package io.herd.engine.tokenizer;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.gguf.GGUFFormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds tokenizers from the files Llama models ship with. The tokenizers are immutable (apart
 * from an internal word cache) and safe to share between threads; {@link StreamingDecoder}s are not.
 */
public final class Tokenizers {

    /** Number of special tokens Meta reserves after the Llama 3 BPE ranks. */
    public static final int LLAMA3_SPECIAL_TOKEN_COUNT = 256;

    /**
     * The specials Meta's llama-models {@code tokenizer.py} names first; the rest of the 256 are
     * {@code <|reserved_special_token_N|>} with N counting on from 2.
     */
    private static final List<String> LLAMA3_NAMED_SPECIAL_TOKENS = List.of(
            "<|begin_of_text|>",
            "<|end_of_text|>",
            "<|reserved_special_token_0|>",
            "<|reserved_special_token_1|>",
            "<|finetune_right_pad_id|>",
            "<|step_id|>",
            "<|start_header_id|>",
            "<|end_header_id|>",
            "<|eom_id|>",
            "<|eot_id|>",
            "<|python_tag|>",
            "<|image|>");

    /**
     * Token texts that end generation wherever they occur in a vocabulary: llama.cpp's list, plus
     * Llama 3's {@code <|end_of_text|>}, which Meta's reference stops at even when a GGUF names
     * {@code <|eot_id|>} as EOS (as instruct conversions do).
     */
    private static final Set<String> END_OF_GENERATION_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>",
            "<|end_of_text|>");

    private Tokenizers() {
    }

    /**
     * The tokenizer stored in a GGUF file's {@code tokenizer.ggml.*} metadata: SentencePiece
     * ({@code model = llama}) or byte-level BPE ({@code model = gpt2}, Llama 3 pre-tokenizer).
     */
    public static Tokenizer fromGguf(GGUFFile gguf) throws GGUFFormatException {
        String model = gguf.string("tokenizer.ggml.model");
        String[] texts = gguf.stringArray("tokenizer.ggml.tokens");
        int n = texts.length;
        if (n == 0) {
            throw gguf.error("tokenizer.ggml.tokens is empty");
        }
        TokenType[] types = new TokenType[n];
        if (gguf.has("tokenizer.ggml.token_type")) {
            int[] codes = gguf.intArray("tokenizer.ggml.token_type");
            requireLength(gguf, "tokenizer.ggml.token_type", codes.length, n);
            for (int id = 0; id < n; id++) {
                types[id] = TokenType.fromGgufCode(codes[id]);
            }
        } else {
            java.util.Arrays.fill(types, TokenType.NORMAL);
        }
        boolean spm = switch (model) {
            case "llama" -> true;
            case "gpt2" -> false;
            default -> throw gguf.error("unsupported tokenizer model '" + model
                    + "' (tokenizer.ggml.model); supported: llama (SentencePiece), gpt2 (byte-level BPE)");
        };
        // llama.cpp's SentencePiece defaults when the ids are not given; byte-level vocabularies
        // have no convention (llama.cpp's 11 is GPT-2's), so none
        int bos = tokenId(gguf, "tokenizer.ggml.bos_token_id", spm ? 1 : -1, n);
        int eos = tokenId(gguf, "tokenizer.ggml.eos_token_id", spm ? 2 : -1, n);
        Set<Integer> stops = new LinkedHashSet<>();
        for (String key : List.of("tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")) {
            int id = tokenId(gguf, key, -1, n);
            if (id >= 0) {
                stops.add(id);
            }
        }
        for (int id = 0; id < n; id++) {
            if (END_OF_GENERATION_TEXTS.contains(texts[id])) {
                stops.add(id);
                types[id] = TokenType.CONTROL; // as llama.cpp overrides mistyped end-of-turn tokens
            }
        }
        if (spm) {
            float[] scores = gguf.has("tokenizer.ggml.scores") ? gguf.floatArray("tokenizer.ggml.scores") : new float[n];
            requireLength(gguf, "tokenizer.ggml.scores", scores.length, n);
            int unknown = tokenId(gguf, "tokenizer.ggml.unknown_token_id", 0, n);
            boolean addBos = gguf.optionalBool("tokenizer.ggml.add_bos_token").orElse(true);
            boolean addSpacePrefix = gguf.optionalBool("tokenizer.ggml.add_space_prefix").orElse(true);
            try {
                return new SentencePieceTokenizer(texts, scores, types, bos, eos, unknown, stops, addBos, addSpacePrefix);
            } catch (IllegalArgumentException e) {
                throw gguf.error("invalid SentencePiece vocabulary: " + e.getMessage());
            }
        }
        String pre = gguf.optionalString("tokenizer.ggml.pre").orElseThrow(() -> gguf.error(
                "byte-level BPE vocabulary without tokenizer.ggml.pre: the pre-tokenizer is unknown"));
        try {
            PreTokenizer preTokenizer = PreTokenizer.forGgufName(pre);
            boolean addBos = gguf.optionalBool("tokenizer.ggml.add_bos_token").orElse(true);
            return byteLevelFromGguf(texts, types, gguf.stringArray("tokenizer.ggml.merges"), preTokenizer,
                    bos, eos, stops, addBos);
        } catch (IllegalArgumentException e) {
            throw gguf.error("invalid byte-level BPE vocabulary: " + e.getMessage());
        }
    }

    private static void requireLength(GGUFFile gguf, String key, int length, int tokens) throws GGUFFormatException {
        if (length != tokens) {
            throw gguf.error(key + " has " + length + " entries for " + tokens + " tokens");
        }
    }

    private static int tokenId(GGUFFile gguf, String key, int fallback, int vocabularySize) throws GGUFFormatException {
        if (!gguf.has(key)) {
            return fallback;
        }
        long id = gguf.longValue(key);
        if (id < 0 || id >= vocabularySize) {
            throw gguf.error(key + " = " + id + " is outside the vocabulary of " + vocabularySize + " tokens");
        }
        return (int) id;
    }

    static ByteLevelBpeTokenizer byteLevelFromGguf(String[] texts, TokenType[] types, String[] mergeRules,
                                                   PreTokenizer preTokenizer, int bos, int eos, Set<Integer> stops,
                                                   boolean addBos) {
        int n = texts.length;
        byte[][] pieces = new byte[n][];
        Map<String, Integer> idByText = new HashMap<>(n * 2);
        for (int id = 0; id < n; id++) {
            pieces[id] = switch (types[id]) {
                case NORMAL -> Gpt2ByteMapping.decode(texts[id]);
                case CONTROL, UNKNOWN, USER_DEFINED -> texts[id].getBytes(StandardCharsets.UTF_8);
                case BYTE, UNUSED, UNDEFINED -> new byte[0];
            };
            idByText.put(texts[id], id);
        }
        MergeTable merges = new MergeTable(mergeRules.length);
        for (int rank = 0; rank < mergeRules.length; rank++) {
            String rule = mergeRules[rank];
            // the separator is the first space after the first character (a rule may start with a space char)
            int space = rule.indexOf(' ', 1);
            if (space < 0) {
                throw new IllegalArgumentException("merge rule " + rank + " '" + rule + "' has no space separator");
            }
            Integer left = idByText.get(rule.substring(0, space));
            Integer right = idByText.get(rule.substring(space + 1));
            Integer merged = idByText.get(rule.substring(0, space) + rule.substring(space + 1));
            if (left != null && right != null && merged != null) {
                merges.putIfAbsent(left, right, rank, merged);
            }
        }
        return new ByteLevelBpeTokenizer(pieces, texts, types, merges, preTokenizer, bos, eos, stops, addBos, false);
    }

    /**
     * Meta's Llama 3 tokenizer: a tiktoken {@code tokenizer.model} (base64 token and rank per line)
     * plus the 256 special tokens Meta's {@code tokenizer.py} defines after the ranks. Encodes as
     * Meta's reference does, including its cutting of very long input.
     */
    public static Tokenizer fromTiktoken(Path tokenizerModel) throws IOException {
        List<byte[]> ranks = readTiktokenRanks(tokenizerModel);
        int base = ranks.size();
        int n = base + LLAMA3_SPECIAL_TOKEN_COUNT;
        byte[][] pieces = new byte[n][];
        String[] texts = new String[n];
        TokenType[] types = new TokenType[n];
        for (int id = 0; id < base; id++) {
            pieces[id] = ranks.get(id);
            types[id] = TokenType.NORMAL;
        }
        for (int i = 0; i < LLAMA3_SPECIAL_TOKEN_COUNT; i++) {
            String text = i < LLAMA3_NAMED_SPECIAL_TOKENS.size() ? LLAMA3_NAMED_SPECIAL_TOKENS.get(i)
                    : "<|reserved_special_token_" + (2 + i - LLAMA3_NAMED_SPECIAL_TOKENS.size()) + "|>";
            texts[base + i] = text;
            pieces[base + i] = text.getBytes(StandardCharsets.UTF_8);
            types[base + i] = TokenType.CONTROL;
        }
        int bos = base + LLAMA3_NAMED_SPECIAL_TOKENS.indexOf("<|begin_of_text|>");
        int eos = base + LLAMA3_NAMED_SPECIAL_TOKENS.indexOf("<|end_of_text|>");
        Set<Integer> stops = Set.of(base + LLAMA3_NAMED_SPECIAL_TOKENS.indexOf("<|eom_id|>"),
                base + LLAMA3_NAMED_SPECIAL_TOKENS.indexOf("<|eot_id|>"));
        try {
            // no merge list: tiktoken joins two parts whenever their concatenation is a token, at that token's rank
            return new ByteLevelBpeTokenizer(pieces, texts, types, null, PreTokenizer.LLAMA3, bos, eos, stops, true, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(tokenizerModel + ": " + e.getMessage(), e);
        }
    }

    private static List<byte[]> readTiktokenRanks(Path file) throws IOException {
        List<byte[]> byRank = new ArrayList<>(128_000);
        Base64.Decoder base64 = Base64.getDecoder();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String trimmed = line.strip();
                int space = trimmed.indexOf(' ');
                if (space < 0 || trimmed.indexOf(' ', space + 1) >= 0) {
                    throw new IOException(file + ":" + lineNumber + ": expected 'base64-token rank', got '" + line + "'");
                }
                byte[] token;
                int rank;
                try {
                    token = base64.decode(trimmed.substring(0, space));
                    rank = Integer.parseInt(trimmed.substring(space + 1));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ":" + lineNumber + ": bad token or rank: " + e.getMessage(), e);
                }
                if (rank != byRank.size()) {
                    throw new IOException(file + ":" + lineNumber + ": rank " + rank + " out of order, expected "
                            + byRank.size());
                }
                byRank.add(token);
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(file + ": not a tiktoken file (non-ASCII content)", e);
        }
        if (byRank.isEmpty()) {
            throw new IOException(file + ": no tokens in tiktoken file");
        }
        return byRank;
    }

    /**
     * A llama2.c tokenizer file ({@code tokenizer.bin}, {@code tok512.bin}): int32 max token length,
     * then per token float32 score, int32 length and the bytes, all little-endian. The file does not
     * store the count: {@code vocabSize} comes from the model header.
     */
    public static Tokenizer fromLlama2c(Path tokBin, int vocabSize) throws IOException {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        }
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(tokBin)).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 4) {
            throw new IOException(tokBin + ": too short for a llama2.c tokenizer (" + in.remaining() + " bytes)");
        }
        int maxTokenLength = in.getInt();
        byte[][] vocab = new byte[vocabSize][];
        float[] scores = new float[vocabSize];
        for (int id = 0; id < vocabSize; id++) {
            if (in.remaining() < 8) {
                throw new IOException(tokBin + ": ends at token " + id + " of " + vocabSize
                        + " (does the vocabulary size match the model?)");
            }
            scores[id] = in.getFloat();
            int length = in.getInt();
            if (length < 0 || length > in.remaining() || length > Math.max(maxTokenLength, 0) * 4 + 16) {
                throw new IOException(tokBin + ": token " + id + " has invalid length " + length);
            }
            vocab[id] = new byte[length];
            in.get(vocab[id]);
        }
        try {
            return new Llama2cTokenizer(vocab, scores);
        } catch (IllegalArgumentException e) {
            throw new IOException(tokBin + ": " + e.getMessage(), e);
        }
    }
}
