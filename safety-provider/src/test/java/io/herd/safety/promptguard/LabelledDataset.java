package io.herd.safety.promptguard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The hand-labelled prompt-injection dataset in test resources (see docs/safety/make_prompt_injection_dataset.py). */
record LabelledDataset(List<Example> examples) {

    static final String RESOURCE = "/prompt-guard/prompt-injection-dataset.jsonl";

    record Example(String split, boolean injection, String kind, String text) {
    }

    static LabelledDataset load() {
        ObjectMapper mapper = new ObjectMapper();
        List<Example> examples = new ArrayList<>();
        try (InputStream in = LabelledDataset.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("dataset missing from the test classpath: " + RESOURCE);
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = mapper.readTree(line);
                examples.add(new Example(node.get("split").asString(), node.get("label").asInt() == 1,
                        node.get("kind").asString(), node.get("text").asString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LabelledDataset(List.copyOf(examples));
    }

    List<Example> split(String name) {
        List<String> parts = List.of(name.split("\\+"));
        return examples.stream().filter(e -> name.equals("all") || parts.contains(e.split())).toList();
    }
}
