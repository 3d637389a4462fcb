package io.herd.engine.tokenizer;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.gguf.GGUFTestWriter;
import io.herd.engine.tokenizer.TokenizerTestData.Vector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The GGUF byte-level BPE path ({@code tokenizer.ggml.model = gpt2}). llama.cpp's Llama 3 vocab
 * GGUF is too large to ship, so the test writes one the way llama.cpp's converter does from the
 * same Meta ranks: tokens in GPT-2's byte-to-Unicode spelling, special tokens typed control, and
 * merges "left right" listed in the rank order of the token they form.
 */
class GgufByteLevelBpeTest {

    private static Tokenizer fromGguf;
    private static Path file;

    static synchronized Tokenizer tokenizer() throws IOException {
        if (fromGguf == null) {
            Tokenizer meta = TokenizerTestData.llama3();
            int base = meta.vocabularySize() - Tokenizers.LLAMA3_SPECIAL_TOKEN_COUNT;
            List<String> tokens = new ArrayList<>(meta.vocabularySize());
            List<Integer> types = new ArrayList<>(meta.vocabularySize());
            byte[][] bytes = new byte[base][];
            boolean[] all = new boolean[base];
            for (int id = 0; id < meta.vocabularySize(); id++) {
                boolean special = id >= base;
                if (special) {
                    tokens.add(new String(meta.tokenBytes(id), java.nio.charset.StandardCharsets.UTF_8));
                } else {
                    bytes[id] = meta.tokenBytes(id);
                    all[id] = true;
                    tokens.add(Gpt2ByteMapping.encode(bytes[id]));
                }
                types.add(special ? 3 : 1);
            }
            // every split of a token into two tokens, in the rank order of the token they form
            ByteSliceIndex index = new ByteSliceIndex(bytes, all);
            List<String> merges = new ArrayList<>();
            for (int id = 0; id < base; id++) {
                byte[] token = bytes[id];
                for (int cut = 1; cut < token.length; cut++) {
                    int left = index.get(token, 0, cut, ByteSliceIndex.hash(token, 0, cut));
                    if (left >= 0 && index.get(token, cut, token.length, ByteSliceIndex.hash(token, cut, token.length)) >= 0) {
                        merges.add(tokens.get(left) + " " + tokens.get(id).substring(tokens.get(left).length()));
                    }
                }
            }
            file = Files.createTempFile("llama3-vocab", ".gguf");
            new GGUFTestWriter()
                    .putString("general.architecture", "llama")
                    .putString("tokenizer.ggml.model", "gpt2")
                    .putString("tokenizer.ggml.pre", "llama-bpe")
                    .putArray("tokenizer.ggml.tokens", GGUFTestWriter.STRING, tokens)
                    .putArray("tokenizer.ggml.token_type", GGUFTestWriter.INT32, types)
                    .putArray("tokenizer.ggml.merges", GGUFTestWriter.STRING, merges)
                    .putUInt32("tokenizer.ggml.bos_token_id", 128_000)
                    .putUInt32("tokenizer.ggml.eos_token_id", 128_009)
                    .put("tokenizer.ggml.add_bos_token", GGUFTestWriter.BOOL, true)
                    .write(file);
            try (GGUFFile gguf = GGUFFile.open(file)) {
                fromGguf = Tokenizers.fromGguf(gguf);
            }
        }
        return fromGguf;
    }

    @AfterAll
    static void deleteFile() throws IOException {
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    static Stream<Arguments> vectors() {
        return TokenizerTestData.vectorArguments("ggml-vocab-llama-bpe.gguf");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encodesLikeLlamaCpp(Vector vector) throws IOException {
        assumeTrue(vector != null, "llama.cpp test vectors absent");
        Tokenizer tokenizer = tokenizer();
        assertThat(tokenizer.encode(vector.text(), false, false)).containsExactly(vector.ids());
        assertThat(tokenizer.decode(vector.ids())).isEqualTo(vector.text());
    }

    @Test
    void specialAndStopTokensComeFromTheMetadata() throws IOException {
        Tokenizer tokenizer = tokenizer();
        assertThat(tokenizer.bosToken()).isEqualTo(128_000);
        assertThat(tokenizer.eosToken()).isEqualTo(128_009);
        // <|eot_id|> and <|eom_id|> end generation wherever they are, as in llama.cpp, and
        // <|end_of_text|> too, as in Meta's reference, though this GGUF names <|eot_id|> as EOS
        assertThat(tokenizer.stopTokens()).containsExactlyInAnyOrder(128_009, 128_008, 128_001);
        assertThat(tokenizer.specialToken("<|start_header_id|>")).hasValue(128_006);
        // the ids of Meta's llama-models test_encode_message
        String message = "<|start_header_id|>user<|end_header_id|>\n\nThis is a test sentence.<|eot_id|>";
        assertThat(tokenizer.encode(message, true, true))
                .containsExactly(128000, 128006, 882, 128007, 271, 2028, 374, 264, 1296, 11914, 13, 128009);
        assertThat(tokenizer.addsSpacePrefix()).isFalse();
    }
}
