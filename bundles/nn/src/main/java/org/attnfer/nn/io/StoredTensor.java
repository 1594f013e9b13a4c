package org.attnfer.nn.io;

/**
 * A tensor read from a file, with the element type it was stored in ({@code F32}, {@code F16},
 * {@code BF16}, {@code F64}, {@code I64}, ...); the values are float32 either way.
 *
 * @param tensor the values
 * @param dtype the stored type, in safetensors' spelling
 */
public record StoredTensor(Tensor tensor, String dtype) {}
