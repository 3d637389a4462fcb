package io.herd.engine.model;

import io.herd.engine.bench.RandomWeights;
import io.herd.engine.gguf.GGMLType;
import io.herd.engine.tensor.FloatTensor;
import io.herd.engine.tensor.Parallel;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Llama models of random weights and states with a random-filled KV cache, for the benchmarks of this package. */
final class RandomLlama {

    private RandomLlama() {
    }

    /** A model of {@code config} whose matrices are {@code type} tensors of random content in {@code arena}. */
    static Llama create(Configuration config, GGMLType type, KvCachePrecision precision, Parallel pool, Arena arena,
                        Random random) {
        int dim = config.dim();
        List<Weights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            layers.add(new Weights.Layer(
                    norm(dim, random),
                    matrix(type, config.queryDim(), dim, arena, random),
                    matrix(type, config.kvDim(), dim, arena, random),
                    matrix(type, config.kvDim(), dim, arena, random),
                    matrix(type, dim, config.queryDim(), arena, random),
                    norm(dim, random),
                    matrix(type, config.hiddenDim(), dim, arena, random),
                    matrix(type, dim, config.hiddenDim(), arena, random),
                    matrix(type, config.hiddenDim(), dim, arena, random)));
        }
        FloatTensor embedding = matrix(GGMLType.F32, config.vocabularySize(), dim, arena, random);
        Weights weights = new Weights(embedding, layers, norm(dim, random), embedding, null);
        return new Llama("random-" + type, config, weights, null, null, pool, null, precision);
    }

    /** A state whose first {@code positions} cache slots of every layer hold random keys and values. */
    static State stateWithCache(Llama model, int positions, Random random) {
        State state = model.newState(positions);
        int filled = positions * model.configuration().kvDim();
        for (int l = 0; l < model.configuration().layers(); l++) {
            for (int i = 0; i < filled; i++) {
                state.blocks.keys[l][i] = (float) random.nextGaussian();
                state.blocks.values[l][i] = (float) random.nextGaussian();
            }
        }
        return state;
    }

    private static FloatTensor matrix(GGMLType type, int rows, int cols, Arena arena, Random random) {
        return RandomWeights.tensor(type, (long) rows * cols, cols, arena, random);
    }

    private static float[] norm(int dim, Random random) {
        float[] weight = new float[dim];
        for (int i = 0; i < dim; i++) {
            weight[i] = 1 + 0.1f * (float) random.nextGaussian();
        }
        return weight;
    }
}
