package io.herd.engine.model;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.tensor.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The batched forward pass against the single-token reference path ({@link Llama#forward}, which matches
 * llama2.c): the same logits, bit for bit, whatever the batch composition and KV block placement.
 */
class BatchedForwardTest {

    private static final Path MODEL = Path.of(System.getProperty("herd.shared.dir", "../shared"))
            .resolve("models/stories260K.gguf");

    private static Llama load(int threads) throws IOException {
        assumeThat(Files.exists(MODEL)).as("model absent: " + MODEL).isTrue();
        return GGUFLlamaReader.read(GGUFFile.open(MODEL), null, Parallel.create(threads));
    }

    private static int[] randomTokens(Random random, int n, int vocabulary) {
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = 1 + random.nextInt(vocabulary - 1);
        }
        return tokens;
    }

    private static List<float[]> tokenByToken(Llama model, int[] tokens) {
        List<float[]> logits = new ArrayList<>();
        try (State state = model.newState(tokens.length)) {
            for (int i = 0; i < tokens.length; i++) {
                logits.add(model.forward(state, tokens[i], i).clone());
            }
        }
        return logits;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void prefillEqualsTokenByToken(int threads) throws IOException {
        try (Llama model = load(threads)) {
            // One thread: more than one prefill chunk. Two threads stay short: on an oversubscribed machine
            // every parallel loop waits for a descheduled worker.
            int[] tokens = randomTokens(new Random(1), threads == 1 ? 300 : 40, model.vocabularySize());
            List<float[]> reference = tokenByToken(model, tokens);
            try (State state = model.newState(tokens.length)) {
                float[] logits = model.prefill(state, tokens, 0);
                assertThat(logits).containsExactly(reference.getLast());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void interleavedSequencesOnScatteredBlocksEqualTheirSoloRuns(int threads) throws IOException {
        try (Llama model = load(threads)) {
            Random random = new Random(threads);
            int sequences = threads == 1 ? 5 : 3;
            int blockSize = 16;
            int[][] tokens = new int[sequences][];
            List<List<float[]>> reference = new ArrayList<>();
            for (int s = 0; s < sequences; s++) {
                tokens[s] = randomTokens(random, 20 + 17 * s, model.vocabularySize());
                reference.add(tokenByToken(model, tokens[s]));
            }
            // Blocks handed out in a shuffled order, so no sequence's blocks are contiguous.
            List<Integer> free = new ArrayList<>();
            for (int b = 0; b < 64; b++) {
                free.add(b);
            }
            java.util.Collections.shuffle(free, random);
            int[][] tables = new int[sequences][];
            for (int s = 0; s < sequences; s++) {
                tables[s] = new int[(tokens[s].length + blockSize - 1) / blockSize];
                for (int b = 0; b < tables[s].length; b++) {
                    tables[s][b] = free.removeFirst();
                }
            }
            KvBlocks kv = model.newKvBlocks(64, blockSize);
            BatchState state = model.newBatchState(4);
            ForwardBatch batch = new ForwardBatch(4);
            int[] done = new int[sequences];
            boolean progress = true;
            while (progress) {
                progress = false;
                batch.clear();
                List<int[]> asked = new ArrayList<>(); // {sequence, position}
                for (int s = 0; s < sequences; s++) {
                    // Uneven chunks per sequence and step: prefill-like runs beside single decode rows.
                    int take = Math.min(tokens[s].length - done[s], 1 + random.nextInt(s + 2));
                    for (int i = 0; i < take; i++) {
                        int position = done[s] + i;
                        boolean logits = i == take - 1 || random.nextBoolean();
                        if (batch.add(tokens[s][position], position, tables[s], logits) >= 0) {
                            asked.add(new int[] {s, position});
                        }
                    }
                    done[s] += take;
                    progress |= take > 0;
                }
                model.forwardBatch(state, batch, kv);
                for (int j = 0; j < asked.size(); j++) {
                    int s = asked.get(j)[0];
                    int position = asked.get(j)[1];
                    assertThat(state.logits(j)).as("sequence %d position %d", s, position)
                            .containsExactly(reference.get(s).get(position));
                }
            }
        }
    }
}
