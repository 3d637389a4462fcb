package io.herd.engine.model;

import io.herd.engine.gguf.GGMLType;
import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.gguf.GGUFFormatException;
import io.herd.engine.gguf.GGUFTestWriter;
import io.herd.engine.tensor.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static io.herd.engine.gguf.GGUFTestWriter.FLOAT32;
import static io.herd.engine.gguf.GGUFTestWriter.UINT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading Llama models from hand-built GGUF files: metadata, tied embeddings, and clear errors. */
class GGUFLlamaReaderTest {

    private static final int DIM = 8, HIDDEN = 16, HEADS = 2, KV_HEADS = 1, VOCAB = 5;

    @TempDir
    Path dir;

    private static float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i * 0.37) * 0.1f;
        }
        return v;
    }

    private static GGUFTestWriter model(boolean withOutput, UnaryOperator<GGUFTestWriter> extra) {
        int kvDim = DIM / HEADS * KV_HEADS;
        GGUFTestWriter w = new GGUFTestWriter().putString("general.architecture", "llama").putString("general.name", "micro")
                .put("llama.embedding_length", UINT32, DIM).put("llama.feed_forward_length", UINT32, HIDDEN)
                .put("llama.block_count", UINT32, 1).put("llama.attention.head_count", UINT32, HEADS)
                .put("llama.attention.head_count_kv", UINT32, KV_HEADS).put("llama.context_length", UINT32, 64)
                .put("llama.attention.layer_norm_rms_epsilon", FLOAT32, 1e-6f).put("llama.rope.freq_base", FLOAT32, 500000f)
                .putString("tokenizer.chat_template", "{{ messages }}");
        w = extra.apply(w);
        w.f32Tensor("token_embd.weight", new long[] {DIM, VOCAB}, values(DIM * VOCAB))
                .f32Tensor("blk.0.attn_norm.weight", new long[] {DIM}, values(DIM))
                .f32Tensor("blk.0.attn_q.weight", new long[] {DIM, DIM}, values(DIM * DIM))
                .f32Tensor("blk.0.attn_k.weight", new long[] {DIM, kvDim}, values(DIM * kvDim))
                .f32Tensor("blk.0.attn_v.weight", new long[] {DIM, kvDim}, values(DIM * kvDim))
                .f32Tensor("blk.0.attn_output.weight", new long[] {DIM, DIM}, values(DIM * DIM))
                .f32Tensor("blk.0.ffn_norm.weight", new long[] {DIM}, values(DIM))
                .f32Tensor("blk.0.ffn_gate.weight", new long[] {DIM, HIDDEN}, values(DIM * HIDDEN))
                .f32Tensor("blk.0.ffn_down.weight", new long[] {HIDDEN, DIM}, values(DIM * HIDDEN))
                .f32Tensor("blk.0.ffn_up.weight", new long[] {DIM, HIDDEN}, values(DIM * HIDDEN))
                .f32Tensor("output_norm.weight", new long[] {DIM}, values(DIM));
        if (withOutput) {
            w.f32Tensor("output.weight", new long[] {DIM, VOCAB}, values(DIM * VOCAB));
        }
        return w;
    }

    private Llama read(GGUFTestWriter writer) throws IOException {
        return GGUFLlamaReader.read(GGUFFile.open(writer.write(dir.resolve("micro.gguf"))), null, Parallel.create(1));
    }

    @Test
    void readsConfigurationAndTiesTheClassifierToTheEmbeddingWhenOutputIsAbsent() throws IOException {
        try (Llama tied = read(model(false, w -> w))) {
            Configuration c = tied.configuration();
            assertThat(c).isEqualTo(new Configuration(DIM, HIDDEN, 1, HEADS, KV_HEADS, VOCAB, 64, DIM / HEADS, 1e-6f, 500000f, 1f));
            assertThat(tied.weights().output()).isSameAs(tied.weights().tokenEmbedding());
            assertThat(tied.chatTemplate()).hasValue("{{ messages }}");
            assertThat(tied.name()).isEqualTo("micro");
            try (State state = tied.newState(4)) {
                float[] logits = tied.forward(state, 3, 0);
                assertThat(logits).hasSize(VOCAB).doesNotContain(Float.NaN);
            }
        }
        try (Llama untied = read(model(true, w -> w))) {
            assertThat(untied.weights().output()).isNotSameAs(untied.weights().tokenEmbedding());
        }
    }

    @Test
    void llama3RopeScalingFromMetadataOrTheRopeFreqsTensor() throws IOException {
        try (Llama scaled = read(model(false, w -> w.putString("llama.rope.scaling.type", "llama3")
                .put("llama.rope.scaling.factor", FLOAT32, 8f).put("llama.rope.scaling.low_freq_factor", FLOAT32, 1f)
                .put("llama.rope.scaling.high_freq_factor", FLOAT32, 4f)
                .put("llama.rope.scaling.original_context_length", UINT32, 16)))) {
            assertThat(scaled.weights().ropeFrequencyFactors()).hasSize(DIM / HEADS / 2);
        }
        try (Llama withTensor = read(model(false, w -> w.f32Tensor("rope_freqs.weight", new long[] {2}, new float[] {1f, 8f})))) {
            assertThat(withTensor.weights().ropeFrequencyFactors()).containsExactly(1f, 8f);
        }
    }

    @Test
    void namesTheTensorOnShapeMismatchMissingTensorAndUnsupportedTypes() {
        assertThatThrownBy(() -> read(model(false, w -> w.f32Tensor("unused", new long[] {1}, new float[1]))
                .f32Tensor("output.weight", new long[] {DIM + 1, VOCAB}, values((DIM + 1) * VOCAB))))
                .isInstanceOf(GGUFFormatException.class).hasMessageContaining("micro.gguf")
                .hasMessageContaining("tensor 'output.weight': shape mismatch, expected [8, 5] but found [9, 5]");
        GGUFTestWriter noNorm = new GGUFTestWriter().putString("general.architecture", "llama")
                .put("llama.embedding_length", UINT32, DIM).put("llama.feed_forward_length", UINT32, HIDDEN)
                .put("llama.block_count", UINT32, 1).put("llama.attention.head_count", UINT32, HEADS)
                .put("llama.context_length", UINT32, 64)
                .f32Tensor("token_embd.weight", new long[] {DIM, VOCAB}, values(DIM * VOCAB));
        assertThatThrownBy(() -> read(noNorm)).isInstanceOf(GGUFFormatException.class)
                .hasMessageContaining("missing tensor 'blk.0.attn_norm.weight'");
        assertThatThrownBy(() -> read(new GGUFTestWriter().putString("general.architecture", "gpt2")))
                .isInstanceOf(GGUFFormatException.class).hasMessageContaining("unsupported architecture 'gpt2'");
        assertThatThrownBy(() -> read(model(false, w -> w.putString("llama.rope.scaling.type", "yarn"))))
                .isInstanceOf(GGUFFormatException.class).hasMessageContaining("rope scaling type 'yarn'");
        GGUFTestWriter q5 = model(false, w -> w);
        q5.rawTensor("output.weight", GGMLType.Q5_0.id(), new long[] {32, VOCAB}, new byte[22 * VOCAB], null);
        assertThatThrownBy(() -> read(q5)).isInstanceOf(GGUFFormatException.class).hasMessageContaining("tensor 'output.weight': type Q5_0 is not supported");
    }

    @Test
    void llama3FrequencyFactorsFollowMetasScaling() {
        // Llama 3.1 8B: head 128, theta 500000, factor 8, low 1, high 4, original context 8192.
        float[] f = RopeScaling.llama3FrequencyFactors(128, 500000, 8, 1, 4, 8192);
        assertThat(f).hasSize(64);
        assertThat(f[0]).isEqualTo(1f); // wavelength 2*pi < 8192/4: high frequencies untouched
        assertThat(f[63]).isEqualTo(8f, org.assertj.core.data.Offset.offset(1e-5f)); // longest wavelengths divided by 8
        for (int i = 1; i < 64; i++) {
            assertThat(f[i]).isGreaterThanOrEqualTo(f[i - 1]);
        }
    }
}
