package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.util.PairList;
import java.util.Locale;
import java.util.Optional;

/**
 * The arithmetic of forward passes. With {@link #BFLOAT16} a training forward keeps its
 * activations in bfloat16 from the input to the logits: convolutions and linear layers multiply in
 * bfloat16 (accumulating in float32) and return bfloat16, so that no layer casts its input and
 * output, while the weights and their gradients, BatchNorm's statistics, the loss and the
 * optimiser stay float32, as under PyTorch's CPU autocast (Kalamkar et al., "A Study of BFLOAT16
 * for Deep Learning Training", 2019). It pays on processors with bfloat16 dot-product instructions
 * (AVX512_BF16, AMX). In plain inference the convolutions that read feature maps run on weights
 * packed in bfloat16 (BatchNorm folded in float32 first) on float32 activations. The choice
 * travels in the {@code params} of DJL's forward, like {@link Taps}; without it everything
 * computes in float32.
 */
public enum Precision {
    /** Every operation in float32. */
    FLOAT32,
    /** bfloat16 activations and products in training, bfloat16 convolutions in inference. */
    BFLOAT16;

    /** The key in DJL's forward {@code params}. */
    public static final String KEY = "attnfer.precision";

    /** Its name in experiment files and on command lines: {@code float32} or {@code bfloat16}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return id();
    }

    /** The precision named {@code id}. */
    public static Precision of(String id) {
        for (Precision p : values()) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("precision must be float32 or bfloat16, not '" + id + "'");
    }

    /**
     * A warning where this precision is bfloat16 and the processor has no bfloat16 instructions
     * (oneDNN then emulates them, more slowly than float32), else empty.
     *
     * @param option how the user chose it, e.g. {@code training.precision}
     */
    public Optional<String> warning(String option) {
        return this == BFLOAT16 && !ComputeSettings.bfloat16()
                ? Optional.of("warning: this processor has no bfloat16 instructions (avx512_bf16, amx_bf16): " + option
                        + " bfloat16 runs slower than float32 here")
                : Optional.empty();
    }

    /** Forward params that carry this precision ({@code null} for float32, the default). */
    public PairList<String, Object> params() {
        if (this == FLOAT32) {
            return null;
        }
        PairList<String, Object> params = new PairList<>();
        params.add(KEY, this);
        return params;
    }

    /**
     * The precision of a training layer's computation: bfloat16 where {@code params} ask for it or
     * the activations {@code x} already are (a block that convolves with a weight it holds itself
     * gets no params).
     */
    public static Precision training(NDArray x, PairList<String, Object> params) {
        return BFloat16.holds(x) ? BFLOAT16 : of(params);
    }

    /**
     * The network input {@code x} as a training forward at this precision takes it: cast to
     * bfloat16 (recorded) for {@link #BFLOAT16}, so that every layer after it keeps its activations
     * bfloat16; itself for float32.
     */
    public NDArray input(NDArray x) {
        return this == BFLOAT16 ? BFloat16.cast(x) : x;
    }

    /** The precision travelling in {@code params}: float32 unless they say otherwise. */
    public static Precision of(PairList<String, Object> params) {
        Object p = params == null ? null : params.get(KEY);
        return p == null ? FLOAT32 : (Precision) p;
    }
}
