package io.herd.engine.llama2c;

import io.herd.engine.gguf.GGMLType;
import io.herd.engine.model.Configuration;
import io.herd.engine.model.KvCachePrecision;
import io.herd.engine.model.Llama;
import io.herd.engine.model.Weights;
import io.herd.engine.tensor.FloatTensor;
import io.herd.engine.tensor.Numbers;
import io.herd.engine.tensor.Parallel;
import io.herd.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * llama2.c checkpoints ({@code run.c}'s legacy format): a header of 7 int32 (dim, hidden_dim,
 * n_layers, n_heads, n_kv_heads, vocab_size - negative when the classifier is not shared - and
 * seq_len), then float32 weights in run.c's order. The weights stay memory-mapped.
 */
public final class Llama2cCheckpoint {

    private static final int HEADER_BYTES = 7 * 4;

    private Llama2cCheckpoint() {
    }

    public static Llama load(Path path, Tokenizer tokenizer, Parallel pool) throws IOException {
        return load(path, tokenizer, pool, KvCachePrecision.F16);
    }

    public static Llama load(Path path, Tokenizer tokenizer, Parallel pool, KvCachePrecision kvCachePrecision)
            throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return read(path, file, tokenizer, pool, kvCachePrecision, () -> {
                arena.close();
                channel.close();
            });
        } catch (IOException | RuntimeException e) {
            arena.close();
            channel.close();
            throw e;
        }
    }

    private static Llama read(Path path, MemorySegment file, Tokenizer tokenizer, Parallel pool,
                              KvCachePrecision kvCachePrecision, AutoCloseable resources)
            throws Llama2cFormatException {
        if (file.byteSize() < HEADER_BYTES) {
            throw new Llama2cFormatException(path, "file too small for a llama2.c header (" + file.byteSize() + " bytes)");
        }
        int[] h = new int[7];
        for (int i = 0; i < 7; i++) {
            h[i] = file.get(Numbers.INT_LE, 4L * i);
        }
        int dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kvHeads = h[4], vocab = Math.abs(h[5]), seqLen = h[6];
        boolean shared = h[5] > 0;
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocab <= 0 || seqLen <= 0
                || dim > 1 << 16 || hidden > 1 << 18 || layers > 1024 || heads > dim || kvHeads > heads
                || dim % heads != 0 || heads % kvHeads != 0) {
            throw new Llama2cFormatException(path, "implausible llama2.c header: dim " + dim + ", hidden_dim " + hidden
                    + ", n_layers " + layers + ", n_heads " + heads + ", n_kv_heads " + kvHeads + ", vocab_size " + h[5]
                    + ", seq_len " + seqLen);
        }
        Configuration c;
        try {
            c = new Configuration(dim, hidden, layers, heads, kvHeads, vocab, seqLen, dim / heads, 1e-5f, 10000f, 1f);
        } catch (IllegalArgumentException e) {
            throw new Llama2cFormatException(path, e.getMessage());
        }
        long kvDim = c.kvDim();
        long headSize = c.headSize();
        long expectedFloats = (long) vocab * dim
                + (long) layers * (dim + dim * (long) dim + 2 * dim * kvDim + dim * (long) dim + dim + 3 * (long) dim * hidden)
                + dim + (long) seqLen * headSize // freq_cis_real and freq_cis_imag: seq_len * head_size / 2 each
                + (shared ? 0 : (long) vocab * dim);
        long expectedBytes = HEADER_BYTES + 4 * expectedFloats;
        if (file.byteSize() < expectedBytes) {
            throw new Llama2cFormatException(path, "truncated: the header describes " + expectedBytes + " bytes of weights, the file has "
                    + file.byteSize());
        }
        Cursor in = new Cursor(file);
        FloatTensor embedding = in.tensor((long) vocab * dim);
        float[][] attentionNorm = in.vectors(layers, dim);
        FloatTensor[] wq = in.tensors(layers, (long) dim * dim);
        FloatTensor[] wk = in.tensors(layers, dim * kvDim);
        FloatTensor[] wv = in.tensors(layers, dim * kvDim);
        FloatTensor[] wo = in.tensors(layers, (long) dim * dim);
        float[][] ffnNorm = in.vectors(layers, dim);
        FloatTensor[] w1 = in.tensors(layers, (long) dim * hidden);
        FloatTensor[] w2 = in.tensors(layers, (long) hidden * dim);
        FloatTensor[] w3 = in.tensors(layers, (long) dim * hidden);
        float[] outputNorm = in.vectors(1, dim)[0];
        in.skip((long) seqLen * headSize); // precomputed RoPE tables, recomputed instead
        FloatTensor classifier = shared ? embedding : in.tensor((long) vocab * dim);
        List<Weights.Layer> layerList = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            // llama2.c: w1 = gate, w2 = down, w3 = up
            layerList.add(new Weights.Layer(attentionNorm[l], wq[l], wk[l], wv[l], wo[l], ffnNorm[l], w1[l], w2[l], w3[l]));
        }
        Weights weights = new Weights(embedding, List.copyOf(layerList), outputNorm, classifier, null);
        String name = path.getFileName().toString();
        return new Llama(name, c, weights, tokenizer, null, pool, resources, kvCachePrecision);
    }

    private static final class Cursor {
        private final MemorySegment file;
        private long position = HEADER_BYTES;

        Cursor(MemorySegment file) {
            this.file = file;
        }

        FloatTensor tensor(long floats) {
            FloatTensor t = FloatTensor.of(GGMLType.F32, file.asSlice(position, 4 * floats), floats);
            position += 4 * floats;
            return t;
        }

        FloatTensor[] tensors(int count, long floatsEach) {
            FloatTensor[] out = new FloatTensor[count];
            for (int i = 0; i < count; i++) {
                out[i] = tensor(floatsEach);
            }
            return out;
        }

        float[][] vectors(int count, int length) {
            float[][] out = new float[count][length];
            for (int i = 0; i < count; i++) {
                MemorySegment.copy(file, Numbers.FLOAT_LE, position, out[i], 0, length);
                position += 4L * length;
            }
            return out;
        }

        void skip(long floats) {
            position += 4 * floats;
        }
    }
}
