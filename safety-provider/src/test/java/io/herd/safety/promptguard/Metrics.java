package io.herd.safety.promptguard;

import java.util.List;

/** Confusion counts of a binary detector at one threshold. */
record Metrics(int truePositives, int falsePositives, int trueNegatives, int falseNegatives) {

    static Metrics of(List<LabelledDataset.Example> examples, double[] probabilities, double threshold) {
        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < examples.size(); i++) {
            boolean predicted = probabilities[i] >= threshold;
            boolean actual = examples.get(i).injection();
            if (predicted && actual) tp++;
            else if (predicted) fp++;
            else if (actual) fn++;
            else tn++;
        }
        return new Metrics(tp, fp, tn, fn);
    }

    double precision() {
        return truePositives + falsePositives == 0 ? 1.0 : (double) truePositives / (truePositives + falsePositives);
    }

    double recall() {
        return truePositives + falseNegatives == 0 ? 1.0 : (double) truePositives / (truePositives + falseNegatives);
    }

    double f1() {
        double p = precision(), r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    int total() {
        return truePositives + falsePositives + trueNegatives + falseNegatives;
    }
}
