/**
 * Text to token ids and back, exactly as the reference implementations do it.
 *
 * <ul>
 *   <li>{@link io.herd.engine.tokenizer.Tokenizers} builds a {@link io.herd.engine.tokenizer.Tokenizer}
 *       from a GGUF file, Meta's Llama 3 tiktoken {@code tokenizer.model}, or a llama2.c tokenizer file.</li>
 *   <li>{@link io.herd.engine.tokenizer.SentencePieceTokenizer}: Llama 1/2 (llama.cpp's SPM rules).</li>
 *   <li>{@link io.herd.engine.tokenizer.ByteLevelBpeTokenizer}: Llama 3 (tiktoken / llama.cpp BPE),
 *       with {@link io.herd.engine.tokenizer.PreTokenizer} splitting text into words.</li>
 *   <li>{@link io.herd.engine.tokenizer.Llama2cTokenizer}: llama2.c's {@code run.c} encoder.</li>
 *   <li>{@link io.herd.engine.tokenizer.StreamingDecoder}: generated ids to text without ever
 *       splitting a UTF-8 character.</li>
 * </ul>
 */
package io.herd.engine.tokenizer;
