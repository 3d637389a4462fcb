package io.herd.engine.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.herd.engine.gguf.GGUFTestWriter.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class GGUFFileTest {

    @TempDir
    Path dir;

    private static Path shared(String relative) {
        Path p = Path.of(System.getProperty("herd.shared.dir", "../shared")).resolve(relative);
        assumeTrue(Files.exists(p), "shared test data absent: " + p);
        return p;
    }

    private GGUFFile open(GGUFTestWriter writer) throws IOException {
        return GGUFFile.open(writer.write(dir.resolve("t.gguf")));
    }

    @Test
    void readsEveryScalarAndArrayTypeWithTheDocumentedJavaTypes() throws IOException {
        var w = new GGUFTestWriter()
                .put("u8", UINT8, 200).put("i8", INT8, -5).put("u16", UINT16, 60000).put("i16", INT16, -30000)
                .put("u32", UINT32, 4_000_000_000L).put("i32", INT32, -7).put("f32", FLOAT32, 1.5f)
                .put("bool", BOOL, true).putString("str", "héllo ▁wörld")
                .put("u64", UINT64, 1L << 40).put("i64", INT64, -3L).put("f64", FLOAT64, 2.25)
                .putArray("strings", STRING, List.of("a", "", "ü"))
                .putArray("i32s", INT32, List.of(1, -2, 3))
                .putArray("u8s", UINT8, List.of(255, 0))
                .putArray("u32s", UINT32, List.of(1L, 2L))
                .putArray("f32s", FLOAT32, List.of(0.5f, -1f))
                .putArray("f64s", FLOAT64, List.of(0.25))
                .putArray("bools", BOOL, List.of(true, false))
                .putArray("nested", ARRAY, List.of(new TypedArray(INT32, List.of(9))));
        try (GGUFFile f = open(w)) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.metadata().keySet()).containsExactly("u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool",
                    "str", "u64", "i64", "f64", "strings", "i32s", "u8s", "u32s", "f32s", "f64s", "bools", "nested");
            assertThat(f.metadata().get("u8")).isEqualTo(200);
            assertThat(f.metadata().get("i8")).isEqualTo(-5);
            assertThat(f.metadata().get("u16")).isEqualTo(60000);
            assertThat(f.metadata().get("i16")).isEqualTo(-30000);
            assertThat(f.metadata().get("u32")).isEqualTo(4_000_000_000L);
            assertThat(f.metadata().get("i32")).isEqualTo(-7);
            assertThat(f.metadata().get("u64")).isEqualTo(1L << 40);
            assertThat(f.metadata().get("i64")).isEqualTo(-3L);
            assertThat(f.metadata().get("f32")).isEqualTo(1.5f);
            assertThat(f.metadata().get("f64")).isEqualTo(2.25);
            assertThat(f.metadata().get("bool")).isEqualTo(true);
            assertThat(f.string("str")).isEqualTo("héllo ▁wörld");
            assertThat(f.integer("u8")).isEqualTo(200);
            assertThat(f.integer("i64")).isEqualTo(-3);
            assertThat(f.floatValue("f64")).isEqualTo(2.25f);
            assertThat(f.stringArray("strings")).containsExactly("a", "", "ü");
            assertThat(f.intArray("i32s")).containsExactly(1, -2, 3);
            assertThat(f.intArray("u8s")).containsExactly(255, 0);
            assertThat(f.intArray("u32s")).containsExactly(1, 2);
            assertThat(f.floatArray("f32s")).containsExactly(0.5f, -1f);
            assertThat(f.floatArray("f64s")).containsExactly(0.25f);
            assertThat((boolean[]) f.metadata().get("bools")).containsExactly(true, false);
            assertThat(((int[]) ((Object[]) f.metadata().get("nested"))[0])).containsExactly(9);
            assertThat(f.optionalString("absent")).isEmpty();
            assertThat(f.optionalInteger("i32")).hasValue(-7);
            assertThat(f.tensors()).isEmpty();
        }
    }

    @Test
    void typedAccessorsNameFileAndKeyOnMissingOrWrongType() throws IOException {
        try (GGUFFile f = open(new GGUFTestWriter().putString("s", "x").put("big", UINT32, 4_000_000_000L))) {
            assertThatThrownBy(() -> f.string("nope")).isInstanceOf(GGUFFormatException.class)
                    .hasMessageContaining("t.gguf").hasMessageContaining("missing metadata key 'nope'");
            assertThatThrownBy(() -> f.integer("s")).isInstanceOf(GGUFFormatException.class)
                    .hasMessageContaining("'s'").hasMessageContaining("integer");
            assertThatThrownBy(() -> f.integer("big")).isInstanceOf(GGUFFormatException.class)
                    .hasMessageContaining("'big'");
            assertThat(f.longValue("big")).isEqualTo(4_000_000_000L);
            assertThatThrownBy(() -> f.stringArray("s")).hasMessageContaining("array of strings");
            assertThatThrownBy(() -> f.tensorData("w")).isInstanceOf(GGUFFormatException.class)
                    .hasMessageContaining("missing tensor 'w'");
        }
    }

    @Test
    void mapsTensorDataAtAlignedOffsetsHonouringGeneralAlignment() throws IOException {
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] b = {7, 8, 9};
        var w = new GGUFTestWriter().alignment(64).putUInt32("general.alignment", 64)
                .f32Tensor("a", new long[] {3, 2}, a)
                .f32Tensor("b", new long[] {3}, b);
        try (GGUFFile f = open(w)) {
            assertThat(f.alignment()).isEqualTo(64);
            assertThat(f.dataOffset() % 64).isZero();
            GGUFTensorInfo info = f.tensors().get("a");
            assertThat(info.type()).isEqualTo(GGMLType.F32);
            assertThat(info.shape()).containsExactly(3, 2);
            assertThat(info.elementCount()).isEqualTo(6);
            assertThat(info.byteSize()).isEqualTo(24);
            assertThat(f.tensors().get("b").offset()).isEqualTo(f.dataOffset() + 64);
            float[] read = f.tensorData("b").toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
            assertThat(read).containsExactly(b);
            read = f.tensorData("a").toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
            assertThat(read).containsExactly(a);
        }
    }

    @Test
    void releasingATensorsPagesKeepsItsBytesReadable() throws IOException {
        float[] big = new float[5 * 4096]; // several whole pages, so some are actually released
        for (int i = 0; i < big.length; i++) {
            big[i] = i * 0.5f - 7;
        }
        float[] next = {1, 2, 3};
        var w = new GGUFTestWriter().f32Tensor("big", new long[] {big.length}, big).f32Tensor("next", new long[] {3}, next);
        try (GGUFFile f = open(w)) {
            float[] before = f.tensorData("big").toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
            f.releasePages("big");
            // the pages fault back in from the file; the neighbour's shared page is untouched
            assertThat(f.tensorData("big").toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN)))
                    .containsExactly(before).containsExactly(big);
            assertThat(f.tensorData("next").toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN)))
                    .containsExactly(next);
        }
    }

    @Test
    void readsVersion2() throws IOException {
        try (GGUFFile f = open(new GGUFTestWriter().version(2).putString("k", "v").f32Tensor("t", new long[] {1}, new float[] {3}))) {
            assertThat(f.version()).isEqualTo(2);
            assertThat(f.tensorData("t").get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0)).isEqualTo(3f);
        }
    }

    @Test
    void rejectsVersion1AndUnknownVersions() {
        assertThatThrownBy(() -> open(new GGUFTestWriter().version(1))).isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("t.gguf").hasMessageContaining("version 1 is not supported");
        assertThatThrownBy(() -> open(new GGUFTestWriter().version(7))).isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("unsupported GGUF version 7");
    }

    @Test
    void rejectsWrongMagicAndTinyFiles() throws IOException {
        Path p = Files.write(dir.resolve("x.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        assertThatThrownBy(() -> GGUFFile.open(p)).isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("x.bin").hasMessageContaining("not a GGUF file");
        Path empty = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        assertThatThrownBy(() -> GGUFFile.open(empty)).isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("too small");
        assertThat(GGUFFile.isGGUF(p)).isFalse();
    }

    @Test
    void everyTruncationOfAValidFileFailsWithAFormatError() throws IOException {
        byte[] full = new GGUFTestWriter().putString("general.architecture", "llama")
                .putArray("tokens", STRING, List.of("a", "b")).put("x", FLOAT64, 1.0)
                .f32Tensor("w", new long[] {4, 2}, new float[8]).toBytes();
        for (int length = 0; length < full.length; length++) {
            Path p = Files.write(dir.resolve("cut" + length + ".gguf"), Arrays.copyOf(full, length));
            assertThatThrownBy(() -> GGUFFile.open(p).close()).as("truncated to %d bytes", length)
                    .isInstanceOf(GGUFFormatException.class).hasMessageContaining("cut" + length + ".gguf");
        }
    }

    @Test
    void rejectsAbsurdCountsAndLengths() throws IOException {
        byte[] bytes = new GGUFTestWriter().putString("k", "v").toBytes();
        byte[] hugeCount = bytes.clone();
        putLong(hugeCount, 16, Long.MAX_VALUE); // metadata count
        Path p1 = Files.write(dir.resolve("count.gguf"), hugeCount);
        assertThatThrownBy(() -> GGUFFile.open(p1)).isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("implausible metadata count");
        byte[] hugeKey = bytes.clone();
        putLong(hugeKey, 24, -1L); // key length
        Path p2 = Files.write(dir.resolve("key.gguf"), hugeKey);
        assertThatThrownBy(() -> GGUFFile.open(p2)).isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("implausible string length");
        Path p3 = new GGUFTestWriter().putArray("a", INT32, List.of(1, 2)).write(dir.resolve("arr.gguf"));
        byte[] arr = Files.readAllBytes(p3);
        putLong(arr, 24 + 8 + 1 + 4 + 4, 1L << 40); // element count of "a"
        Files.write(p3, arr);
        assertThatThrownBy(() -> GGUFFile.open(p3)).isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("implausible element count of a");
        byte[] unknownType = new GGUFTestWriter().put("k", INT32, 1).toBytes();
        putInt(unknownType, 24 + 8 + 1, 99);
        Path p4 = Files.write(dir.resolve("type.gguf"), unknownType);
        assertThatThrownBy(() -> GGUFFile.open(p4)).isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("'k'").hasMessageContaining("unknown value type 99");
    }

    @Test
    void rejectsBadTensorDescriptions() {
        byte[] data = new byte[32];
        assertThatThrownBy(() -> open(new GGUFTestWriter().rawTensor("w", 77, new long[] {8}, data, null)))
                .isInstanceOf(GGUFFormatException.class).hasMessageContaining("tensor 'w'")
                .hasMessageContaining("unknown ggml type id 77");
        assertThatThrownBy(() -> open(new GGUFTestWriter().rawTensor("w", 0, new long[] {8}, data, 4096L)))
                .isInstanceOf(GGUFFormatException.class).hasMessageContaining("tensor 'w'")
                .hasMessageContaining("beyond the end of the file");
        assertThatThrownBy(() -> open(new GGUFTestWriter().rawTensor("w", 0, new long[] {8}, data, 4L)))
                .isInstanceOf(GGUFFormatException.class).hasMessageContaining("not a multiple of the alignment");
        assertThatThrownBy(() -> open(new GGUFTestWriter().rawTensor("w", 0, new long[] {1L << 32, 1L << 32}, data, null)))
                .isInstanceOf(GGUFFormatException.class).hasMessageContaining("tensor 'w'");
        assertThatThrownBy(() -> open(new GGUFTestWriter().rawTensor("w", 8, new long[] {16}, data, null)))
                .isInstanceOf(GGUFFormatException.class).hasMessageContaining("shape mismatch");
        assertThatThrownBy(() -> open(new GGUFTestWriter().rawTensor("w", 0, new long[] {1, 1, 1, 1, 1}, data, null)))
                .isInstanceOf(GGUFFormatException.class).hasMessageContaining("dimension count 5");
        assertThatThrownBy(() -> open(new GGUFTestWriter().putUInt32("general.alignment", 24)))
                .isInstanceOf(GGUFFormatException.class).hasMessageContaining("general.alignment");
    }

    @Test
    void readsStories260K() throws IOException {
        try (GGUFFile f = GGUFFile.open(shared("models/stories260K.gguf"))) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.string("general.architecture")).isEqualTo("llama");
            assertThat(f.integer("llama.embedding_length")).isEqualTo(64);
            assertThat(f.integer("llama.feed_forward_length")).isEqualTo(172);
            assertThat(f.integer("llama.block_count")).isEqualTo(5);
            assertThat(f.integer("llama.attention.head_count")).isEqualTo(8);
            assertThat(f.integer("llama.attention.head_count_kv")).isEqualTo(4);
            assertThat(f.stringArray("tokenizer.ggml.tokens")).hasSize(512);
            assertThat(f.tensors()).hasSize(48);
            GGUFTensorInfo embedding = f.tensors().get("token_embd.weight");
            assertThat(embedding.type()).isEqualTo(GGMLType.F32);
            assertThat(embedding.shape()).containsExactly(64, 512);
            assertThat(f.tensorData("token_embd.weight").byteSize()).isEqualTo(64L * 512 * 4);
        }
    }

    @Test
    void tensorDataOfStories260KMatchesTheLlama2cCheckpoint() throws IOException {
        // The two files hold bit-identical weights (MANIFEST.md); the .bin stores token_embedding_table right
        // after its 28-byte header.
        byte[] bin = Files.readAllBytes(shared("models/stories260K.bin"));
        try (GGUFFile f = GGUFFile.open(shared("models/stories260K.gguf"))) {
            byte[] embedding = f.tensorData("token_embd.weight").toArray(ValueLayout.JAVA_BYTE);
            assertThat(embedding).isEqualTo(Arrays.copyOfRange(bin, 28, 28 + embedding.length));
        }
    }

    @Test
    void readsTheLlamaSpmVocabularyFile() throws IOException {
        try (GGUFFile f = GGUFFile.open(shared("models/vocab/ggml-vocab-llama-spm.gguf"))) {
            String[] tokens = f.stringArray("tokenizer.ggml.tokens");
            assertThat(tokens).hasSize(32000);
            assertThat(tokens[0]).isEqualTo("<unk>");
            assertThat(tokens[1]).isEqualTo("<s>");
            assertThat(tokens[2]).isEqualTo("</s>");
            assertThat(tokens[3]).isEqualTo("<0x00>");
            assertThat(f.floatArray("tokenizer.ggml.scores")).hasSize(32000);
            assertThat(f.intArray("tokenizer.ggml.token_type")).hasSize(32000);
            assertThat(f.string("tokenizer.ggml.model")).isEqualTo("llama");
            assertThat(f.tensors()).isEmpty();
        }
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
