package io.herd.engine.generate;

import io.herd.engine.model.LanguageModel;
import io.herd.engine.model.ModelState;
import io.herd.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Test double: after the prompt, the logits favour the scripted tokens one after another (by a
 * margin of 10), so greedy decoding reproduces the script. Records every forward call.
 */
public class ScriptedModel implements LanguageModel {

    private final Tokenizer tokenizer;
    private final int contextLength;
    private final int[] script;
    private final String chatTemplate;
    public final List<Integer> forwardPositions = new ArrayList<>();
    public final List<Integer> forwardTokens = new ArrayList<>();
    public int prefillCalls;
    public final List<int[]> prefills = new ArrayList<>();
    public int statesCreated;
    public int statesClosed;
    public int lastStateLength = -1;

    public ScriptedModel(Tokenizer tokenizer, int contextLength, int[] script) {
        this(tokenizer, contextLength, script, null);
    }

    public ScriptedModel(Tokenizer tokenizer, int contextLength, int[] script, String chatTemplate) {
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.script = script.clone();
        this.chatTemplate = chatTemplate;
    }

    private final class State implements ModelState {
        final int length;
        final float[] logits = new float[tokenizer.vocabularySize()];
        int promptLength = -1;

        State(int length) {
            this.length = length;
        }

        @Override
        public int contextLength() {
            return length;
        }

        @Override
        public void close() {
            statesClosed++;
        }
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public int vocabularySize() {
        return tokenizer.vocabularySize();
    }

    @Override
    public int maxContextLength() {
        return contextLength;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    @Override
    public ModelState newState(int length) {
        statesCreated++;
        lastStateLength = length;
        return new State(length);
    }

    @Override
    public float[] prefill(ModelState state, int[] tokens, int startPosition) {
        prefillCalls++;
        prefills.add(tokens.clone());
        State s = (State) state;
        if (startPosition + tokens.length > s.length) {
            throw new IllegalStateException("prefill beyond the state's context");
        }
        s.promptLength = startPosition + tokens.length;
        return logitsFor(s, 0);
    }

    @Override
    public float[] forward(ModelState state, int token, int position) {
        State s = (State) state;
        if (position >= s.length) {
            throw new IllegalStateException("position " + position + " beyond the state's context " + s.length);
        }
        forwardPositions.add(position);
        forwardTokens.add(token);
        return logitsFor(s, position + 1 - s.promptLength);
    }

    private float[] logitsFor(State s, int step) {
        Arrays.fill(s.logits, 0f);
        s.logits[script[Math.min(step, script.length - 1)]] = 10f;
        return s.logits;
    }
}
