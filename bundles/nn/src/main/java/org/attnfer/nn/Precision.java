package org.attnfer.nn;

import ai.djl.util.PairList;
import java.util.Locale;
import java.util.Optional;

/**
 * The arithmetic of forward passes. With {@link #BFLOAT16} the convolutions that read feature
 * maps multiply in bfloat16 and accumulate and return float32, as under PyTorch's CPU autocast
 * (Kalamkar et al., "A Study of BFLOAT16 for Deep Learning Training", 2019); unlike autocast, the
 * activations between layers stay float32 too, as do the weights, their gradients and BatchNorm.
 * It pays on processors with bfloat16 dot-product instructions (AVX512_BF16, AMX): ResNet50 trained
 * 1.1–1.3 times faster than in float32 on a Zen 4. In plain inference the same convolutions run
 * on weights packed in bfloat16 (BatchNorm folded in float32 first). The choice travels in the
 * {@code params} of DJL's forward, like {@link Taps}; without it everything computes in float32.
 */
public enum Precision {
    /** Every operation in float32. */
    FLOAT32,
    /** Feature-map convolutions multiply in bfloat16, all else in float32. */
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

    /** The precision travelling in {@code params}: float32 unless they say otherwise. */
    public static Precision of(PairList<String, Object> params) {
        Object p = params == null ? null : params.get(KEY);
        return p == null ? FLOAT32 : (Precision) p;
    }
}
