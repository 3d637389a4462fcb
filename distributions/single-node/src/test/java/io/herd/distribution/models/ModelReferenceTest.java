package io.herd.distribution.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelReferenceTest {

    @Test
    void parsesRepoAndFileInOneSpec() {
        ModelReference ref = ModelReference.parse("hf://bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf", null, null);
        assertThat(ref.repo()).isEqualTo("bartowski/Llama-3.2-1B-Instruct-GGUF");
        assertThat(ref.file()).isEqualTo("Llama-3.2-1B-Instruct-Q4_K_M.gguf");
        assertThat(ref.revision()).isEqualTo("main");
        assertThat(ref.modelId()).isEqualTo("Llama-3.2-1B-Instruct-Q4_K_M");
    }

    @Test
    void rejectsSpecsWithoutAFileAndPathTraversal() {
        assertThatThrownBy(() -> ModelReference.parse("bartowski/Llama-3.2-1B-Instruct-GGUF", null, null))
                .hasMessageContaining("name the GGUF file");
        assertThatThrownBy(() -> new ModelReference("a/b", "../../etc/passwd", "main"))
                .hasMessageContaining("relative path");
        assertThatThrownBy(() -> new ModelReference("not-a-repo", "x.gguf", "main"))
                .hasMessageContaining("owner/name");
    }
}
