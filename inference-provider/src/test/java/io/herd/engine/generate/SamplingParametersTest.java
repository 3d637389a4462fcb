package io.herd.engine.generate;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplingParametersTest {

    private static void assertRejected(UnaryOperator<SamplingParameters.Builder> change, String field, String fragment) {
        assertThatThrownBy(() -> change.apply(SamplingParameters.builder()).build())
                .isInstanceOfSatisfying(InvalidSamplingParameterException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageStartingWith(field + " ")
                .hasMessageContaining(fragment);
    }

    @Test
    void rejectsOutOfRangeValuesNamingTheField() {
        assertRejected(b -> b.temperature(-0.1), "temperature", "-0.1");
        assertRejected(b -> b.temperature(Double.NaN), "temperature", "NaN");
        assertRejected(b -> b.topK(-1), "topK", "-1");
        assertRejected(b -> b.topP(0), "topP", "(0, 1]");
        assertRejected(b -> b.topP(1.5), "topP", "1.5");
        assertRejected(b -> b.minP(1.1), "minP", "1.1");
        assertRejected(b -> b.repetitionPenalty(0), "repetitionPenalty", "positive");
        assertRejected(b -> b.repetitionWindow(-2), "repetitionWindow", "-2");
        assertRejected(b -> b.frequencyPenalty(2.5), "frequencyPenalty", "2.5");
        assertRejected(b -> b.presencePenalty(-3), "presencePenalty", "-3");
        assertRejected(b -> b.maxTokens(0), "maxTokens", "at least 1");
        assertRejected(b -> b.stop(List.of("ok", "")), "stop", "entry 1 is empty");
        assertRejected(b -> b.logprobs(true).topLogprobs(21), "topLogprobs", "between 0 and 20");
        assertRejected(b -> b.topLogprobs(2), "topLogprobs", "needs logprobs");
        assertRejected(b -> b.logitBias(java.util.Map.of(5, 101.0)), "logitBias", "token 5 has 101.0");
        assertRejected(b -> b.logitBias(java.util.Map.of(-1, 1.0)), "logitBias", "-1");
    }

    @Test
    void acceptsBoundaryValuesAndRoundTripsThroughTheBuilder() {
        SamplingParameters parameters = SamplingParameters.builder().temperature(0).topP(1).minP(1)
                .frequencyPenalty(-2).presencePenalty(2).logprobs(true).topLogprobs(20).seed(9L)
                .stop(List.of("\n\n")).logitBias(java.util.Map.of(3, -100.0)).build();
        assertThat(parameters.toBuilder().build()).isEqualTo(parameters);
        assertThat(parameters.isGreedy()).isTrue();
    }
}
