package io.herd.engine.model;

import io.herd.engine.gguf.GGMLType;
import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.gguf.GGUFFormatException;
import io.herd.engine.gguf.GGUFTensorInfo;
import io.herd.engine.tensor.FloatTensor;
import io.herd.engine.tensor.Numbers;
import io.herd.engine.tensor.Parallel;
import io.herd.engine.tokenizer.Tokenizer;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Builds a {@link Llama} from a GGUF file (architecture {@code llama}) using the llama.cpp tensor
 * names. Every tensor's type and shape is checked against the metadata before use.
 */
public final class GGUFLlamaReader {

    private static final String ARCHITECTURE = "llama";

    private GGUFLlamaReader() {
    }

    public static Configuration configuration(GGUFFile gguf) throws GGUFFormatException {
        String architecture = gguf.string("general.architecture");
        if (!ARCHITECTURE.equals(architecture)) {
            throw gguf.error("unsupported architecture '" + architecture + "' (supported: llama)");
        }
        String p = architecture + ".";
        int dim = gguf.integer(p + "embedding_length");
        int heads = gguf.integer(p + "attention.head_count");
        int kvHeads = gguf.optionalInteger(p + "attention.head_count_kv").orElse(heads);
        if (heads <= 0 || dim <= 0 || kvHeads <= 0) {
            throw gguf.error("invalid sizes: embedding_length " + dim + ", head_count " + heads + ", head_count_kv " + kvHeads);
        }
        int headSize = gguf.optionalInteger(p + "attention.key_length").orElse(dim / heads);
        int ropeDimensions = gguf.optionalInteger(p + "rope.dimension_count").orElse(headSize);
        if (ropeDimensions != headSize) {
            throw gguf.error("partial rotary embeddings (rope.dimension_count " + ropeDimensions + " < head size "
                    + headSize + ") are not supported");
        }
        GGUFTensorInfo embedding = gguf.tensor("token_embd.weight");
        int vocabulary = (int) embedding.dim(1);
        float positionScale = 1f;
        String scalingType = gguf.optionalString(p + "rope.scaling.type").orElse("none").toLowerCase(Locale.ROOT);
        switch (scalingType) {
            case "none", "llama3" -> {
            }
            case "linear" -> positionScale = 1f / gguf.floatValue(p + "rope.scaling.factor");
            default -> throw gguf.error("unsupported rope scaling type '" + scalingType + "' (supported: none, linear, llama3)");
        }
        if (gguf.has(p + "rope.scale_linear")) {
            positionScale = 1f / gguf.floatValue(p + "rope.scale_linear");
        }
        try {
            return new Configuration(dim, gguf.integer(p + "feed_forward_length"), gguf.integer(p + "block_count"), heads,
                    kvHeads, vocabulary, gguf.integer(p + "context_length"), headSize,
                    gguf.optionalFloat(p + "attention.layer_norm_rms_epsilon").orElse(1e-5f),
                    gguf.optionalFloat(p + "rope.freq_base").orElse(10000f), positionScale);
        } catch (IllegalArgumentException e) {
            throw gguf.error(e.getMessage());
        }
    }

    /**
     * The model in {@code gguf}; the file must stay open while the model is used, and is closed by
     * {@link Llama#close()}.
     */
    public static Llama read(GGUFFile gguf, Tokenizer tokenizer, Parallel pool) throws GGUFFormatException {
        return read(gguf, tokenizer, pool, KvCachePrecision.F16);
    }

    public static Llama read(GGUFFile gguf, Tokenizer tokenizer, Parallel pool, KvCachePrecision kvCachePrecision)
            throws GGUFFormatException {
        Configuration c = configuration(gguf);
        HeapBudget.require(gguf.path().getFileName().toString(), HeapBudget.repackedBytes(gguf));
        FloatTensor embedding = matrix(gguf, "token_embd.weight", c.dim(), c.vocabularySize());
        List<Weights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String b = "blk." + l + ".";
            layers.add(new Weights.Layer(
                    vector(gguf, b + "attn_norm.weight", c.dim()),
                    matrix(gguf, b + "attn_q.weight", c.dim(), c.queryDim()),
                    matrix(gguf, b + "attn_k.weight", c.dim(), c.kvDim()),
                    matrix(gguf, b + "attn_v.weight", c.dim(), c.kvDim()),
                    matrix(gguf, b + "attn_output.weight", c.queryDim(), c.dim()),
                    vector(gguf, b + "ffn_norm.weight", c.dim()),
                    matrix(gguf, b + "ffn_gate.weight", c.dim(), c.hiddenDim()),
                    matrix(gguf, b + "ffn_down.weight", c.hiddenDim(), c.dim()),
                    matrix(gguf, b + "ffn_up.weight", c.dim(), c.hiddenDim())));
        }
        FloatTensor output = gguf.hasTensor("output.weight")
                ? matrix(gguf, "output.weight", c.dim(), c.vocabularySize())
                : embedding; // tied embeddings
        Weights weights = new Weights(embedding, List.copyOf(layers), vector(gguf, "output_norm.weight", c.dim()), output,
                ropeFrequencyFactors(gguf, c));
        String name = gguf.optionalString("general.name").orElse(gguf.path().getFileName().toString());
        return new Llama(name, c, weights, tokenizer, gguf.optionalString("tokenizer.chat_template").orElse(null), pool, gguf,
                kvCachePrecision);
    }

    private static float[] ropeFrequencyFactors(GGUFFile gguf, Configuration c) throws GGUFFormatException {
        if (gguf.hasTensor("rope_freqs.weight")) {
            return vector(gguf, "rope_freqs.weight", c.headSize() / 2);
        }
        String p = ARCHITECTURE + ".rope.scaling.";
        if (gguf.has(p + "low_freq_factor") || gguf.has(p + "high_freq_factor")) {
            try {
                return RopeScaling.llama3FrequencyFactors(c.headSize(), c.ropeTheta(), gguf.floatValue(p + "factor"),
                        gguf.floatValue(p + "low_freq_factor"), gguf.floatValue(p + "high_freq_factor"),
                        gguf.integer(p + "original_context_length"));
            } catch (IllegalArgumentException e) {
                throw gguf.error(e.getMessage());
            }
        }
        return null;
    }

    private static FloatTensor matrix(GGUFFile gguf, String name, int columns, int rows) throws GGUFFormatException {
        GGUFTensorInfo info = gguf.tensor(name);
        if (!FloatTensor.isSupported(info.type())) {
            throw gguf.error("tensor '" + name + "': type " + info.type()
                    + " is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K)");
        }
        if (info.dimensions() != 2 || info.dim(0) != columns || info.dim(1) != rows) {
            throw gguf.error("tensor '" + name + "': shape mismatch, expected [" + columns + ", " + rows + "] but found "
                    + Arrays.toString(info.shape()));
        }
        FloatTensor tensor = FloatTensor.of(info.type(), gguf.tensorData(name), info.elementCount(), columns);
        if (FloatTensor.isRepackedAtLoad(info.type())) {
            gguf.releasePages(name);
        }
        return tensor;
    }

    private static float[] vector(GGUFFile gguf, String name, int length) throws GGUFFormatException {
        GGUFTensorInfo info = gguf.tensor(name);
        if (info.elementCount() != length || info.dim(0) != length) {
            throw gguf.error("tensor '" + name + "': shape mismatch, expected [" + length + "] but found "
                    + Arrays.toString(info.shape()));
        }
        if (info.type() != GGMLType.F32 && info.type() != GGMLType.F16 && info.type() != GGMLType.BF16) {
            throw gguf.error("tensor '" + name + "': type " + info.type() + " is not supported for a vector (F32, F16, BF16)");
        }
        MemorySegment data = gguf.tensorData(name);
        float[] values = new float[length];
        if (info.type() == GGMLType.F32) {
            MemorySegment.copy(data, Numbers.FLOAT_LE, 0, values, 0, length);
        } else {
            FloatTensor.of(info.type(), data, length).dequantize(0, values, 0, length);
        }
        return values;
    }
}
