package io.herd.safety.promptguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Precision and recall of the heuristic scorer on the hand-labelled dataset, at the shield's default threshold.
 * The holdout split was written in a separate pass and never used to adjust patterns or weights.
 */
class PromptGuardDatasetTest {

    private final HeuristicInjectionScorer scorer = new HeuristicInjectionScorer();
    private final LabelledDataset dataset = LabelledDataset.load();

    @Test
    void datasetHasBothClassesAndEnoughExamples() {
        assertThat(dataset.examples()).hasSizeGreaterThanOrEqualTo(200);
        assertThat(dataset.examples()).anyMatch(LabelledDataset.Example::injection);
        assertThat(dataset.examples()).anyMatch(e -> !e.injection());
        assertThat(dataset.split("holdout")).hasSizeGreaterThanOrEqualTo(60);
    }

    @Test
    void recallAtLeast90PercentAtPrecisionAtLeast95PercentOnEverySplit() {
        for (String split : List.of("dev", "holdout", "all")) {
            List<LabelledDataset.Example> examples = dataset.split(split);
            Metrics metrics = Metrics.of(examples, probabilities(examples), PromptGuardConfig.DEFAULT_THRESHOLD);
            report(split, examples, metrics);
            assertThat(metrics.precision()).as("precision on %s: %s", split, metrics).isGreaterThanOrEqualTo(0.95);
            assertThat(metrics.recall()).as("recall on %s: %s", split, metrics).isGreaterThanOrEqualTo(0.90);
        }
    }

    private double[] probabilities(List<LabelledDataset.Example> examples) {
        double[] p = new double[examples.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = scorer.score(examples.get(i).text()).probability();
        }
        return p;
    }

    private void report(String split, List<LabelledDataset.Example> examples, Metrics metrics) {
        System.out.printf("%s: %s precision=%.3f recall=%.3f%n", split, metrics, metrics.precision(), metrics.recall());
        if (!split.equals("all")) {
            for (LabelledDataset.Example e : examples) {
                InjectionScore score = scorer.score(e.text());
                boolean predicted = score.probability() >= PromptGuardConfig.DEFAULT_THRESHOLD;
                if (predicted != e.injection()) {
                    System.out.printf("  MISS %s p=%.3f %s%n      %s%n", e.injection() ? "FN" : "FP", score.probability(),
                            e.text().replace("\n", "\\n"), score.signals());
                }
            }
        }
    }
}
