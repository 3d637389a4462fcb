/**
 * Herd's Llama engine: pure Java, no Spring. Sub-packages follow the path a token takes:
 * {@code gguf} and {@code llama2c} read model files, {@code tensor} owns the quantized weights
 * and their kernels, {@code model} the forward pass, {@code tokenizer} text to ids and back,
 * {@code chat} prompt formats and tool calls, {@code generate} sampling and streaming
 * generation, {@code cli} the command line.
 */
package io.herd.engine;
