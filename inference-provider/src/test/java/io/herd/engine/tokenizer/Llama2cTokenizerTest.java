package io.herd.engine.tokenizer;

import io.herd.engine.gguf.GGUFFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** llama2.c's tok512.bin against the prompt ids and output llama2.c's run.c produced. */
class Llama2cTokenizerTest {

    /** Line {@code name id id ...} of the reference ids file. */
    static int[] referenceIds(String name) throws IOException {
        TokenizerTestData.assumePresent(TokenizerTestData.STORIES_IDS);
        for (String line : Files.readAllLines(TokenizerTestData.STORIES_IDS)) {
            String[] fields = line.trim().split(" +");
            if (fields[0].equals(name)) {
                return Arrays.stream(fields, 1, fields.length).mapToInt(Integer::parseInt).toArray();
            }
        }
        throw new IllegalStateException("no line '" + name + "' in " + TokenizerTestData.STORIES_IDS);
    }

    @Test
    void encodesThePromptLikeRunC() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.tok512();
        assertThat(tokenizer.encode("Once upon a time", true, false)).containsExactly(referenceIds("prompt_ids"));
    }

    @Test
    void decodesTheGenerationLikeRunC() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.tok512();
        int[] prompt = referenceIds("prompt_ids");
        int[] generated = referenceIds("generated_ids");
        int[] all = new int[prompt.length + generated.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        TokenizerTestData.assumePresent(TokenizerTestData.STORIES_TEXT);
        // run.c prints every piece after BOS (dropping the space right after BOS), then a newline
        String expected = Files.readString(TokenizerTestData.STORIES_TEXT, StandardCharsets.UTF_8);
        expected = expected.substring(0, expected.length() - 1);
        assertThat(tokenizer.decode(all, false)).isEqualTo(expected);

        StreamingDecoder stream = new StreamingDecoder(tokenizer);
        assertThat(stream.accept(all) + stream.flush()).isEqualTo(expected);
    }

    @Test
    void vocabularyFacts() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.tok512();
        assertThat(tokenizer.vocabularySize()).isEqualTo(512);
        assertThat(tokenizer.bosToken()).isEqualTo(1);
        assertThat(tokenizer.eosToken()).isEqualTo(2);
        // run.c also ends generation at BOS, which these models emit between stories
        assertThat(tokenizer.stopTokens()).containsExactlyInAnyOrder(1, 2);
        assertThat(tokenizer.specialToken("<s>")).hasValue(1);
        assertThat(tokenizer.isSpecial(1)).isTrue();
        assertThat(tokenizer.isSpecial(259)).isFalse();
        assertThat(tokenizer.tokenBytes(3 + 0xE2)).containsExactly(0xE2);
        assertThat(tokenizer.encode("", true, false)).containsExactly(1);
    }

    @Test
    void bytesOutsideTheVocabularyBecomeByteTokens() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.tok512();
        // run.c: a character not in the vocabulary is spelled as its UTF-8 bytes, token = byte + 3
        String text = "\u4E2D"; // E4 B8 AD
        int[] ids = tokenizer.encode(text, false, false);
        assertThat(ids).endsWith(0xE4 + 3, 0xB8 + 3, 0xAD + 3);
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
    }

    /** The same 512-token vocabulary stored in stories260K.gguf goes through the SentencePiece path. */
    @Test
    void ggufCopyOfTheVocabularyEncodesTheSame() throws IOException {
        TokenizerTestData.assumePresent(TokenizerTestData.STORIES_GGUF);
        try (GGUFFile gguf = GGUFFile.open(TokenizerTestData.STORIES_GGUF)) {
            Tokenizer fromGguf = Tokenizers.fromGguf(gguf);
            assertThat(fromGguf.vocabularySize()).isEqualTo(512);
            assertThat(fromGguf.encode("Once upon a time", true, false)).containsExactly(referenceIds("prompt_ids"));
            String story = "Once upon a time, there was a little girl named Lily. She loved to play outside.";
            assertThat(fromGguf.encode(story, true, false))
                    .containsExactly(TokenizerTestData.tok512().encode(story, true, false));
        }
    }

    @Test
    void rejectsAFileShorterThanTheVocabulary(@TempDir Path dir) throws IOException {
        TokenizerTestData.assumePresent(TokenizerTestData.TOK512);
        assertThatThrownBy(() -> Tokenizers.fromLlama2c(TokenizerTestData.TOK512, 600))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ends at token 512 of 600");
        Path broken = dir.resolve("broken.bin");
        ByteBuffer header = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putFloat(0f).putInt(-5);
        Files.write(broken, header.array());
        assertThatThrownBy(() -> Tokenizers.fromLlama2c(broken, 1))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("token 0 has invalid length -5");
    }
}
