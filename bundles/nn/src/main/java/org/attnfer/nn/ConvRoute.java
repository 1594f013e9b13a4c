package org.attnfer.nn;

import java.util.Locale;

/**
 * A way of computing a 2-D convolution. Every route computes the same convolution; they differ
 * in speed, which depends on the processor, the libraries and the shape, and, on some processors,
 * in correctness: a library kernel can compute some shapes wrongly. {@link Routes} measures the
 * candidates of a shape on the machine at hand and keeps the fastest one that computes right.
 */
public enum ConvRoute {
    /**
     * Training: libtorch's convolution (oneDNN) on channels-last activations; in a bfloat16 network
     * on float32 casts of them, its result cast back.
     */
    ONEDNN(true, "libtorch's convolution (oneDNN) on channels-last input"),
    /**
     * Training: one matrix product on channels-last activations, each output pixel a row; a 1×1
     * convolution is a product of views, a k×k one copies its unfolded input first. Reads the
     * weight as it is stored, where oneDNN reorders it into its blocked layout at every call.
     */
    GEMM(true, "one matrix product (unfolded input for k×k)"),
    /**
     * Training, k×k kernels: {@link #GEMM} with the columns from libtorch's im2col, whose backward
     * is one col2im pass (on some shapes faster than the unfolding of {@link #GEMM}).
     */
    GEMM_IM2COL(true, "one matrix product on libtorch's im2col"),
    /** Training: libtorch's convolution in bfloat16 (input, weight and result), accumulating in float32. */
    ONEDNN_BF16(true, "libtorch's convolution in bfloat16"),
    /** Training: {@link #GEMM} in bfloat16, accumulating in float32. */
    GEMM_BF16(true, "one matrix product in bfloat16"),
    /**
     * Training, k×k kernels on small maps: the columns gathered by a product with a fixed 0/1
     * selection matrix, then {@link #GEMM_BF16}'s product; the gather's backward is a product too.
     */
    GEMM_SELECT_BF16(true, "two matrix products in bfloat16, the gather one with a 0/1 matrix"),
    /** Inference: oneDNN on a weight laid out once, with the BatchNorm after it folded in. */
    PREPACKED(false, "oneDNN on a prepacked weight, BatchNorm folded"),
    /** Inference: the same on a weight packed in bfloat16. */
    PREPACKED_BF16(false, "oneDNN on a weight prepacked in bfloat16, BatchNorm folded"),
    /** Inference at batch 1, 1×1 kernels: one matrix product on the folded weight, on the map as it lies. */
    PRODUCT(false, "one matrix product on the folded weight"),
    /** Inference: libtorch's convolution on the input as it is. */
    PLAIN(false, "libtorch's convolution"),
    /** Inference: libtorch's unfold-and-multiply convolution, without oneDNN. */
    SLOW(false, "libtorch's convolution without oneDNN");

    private final boolean training;
    private final String description;

    ConvRoute(boolean training, String description) {
        this.training = training;
        this.description = description;
    }

    /** Whether the route records gradients (training, Grad-CAM) or serves plain inference. */
    public boolean training() {
        return training;
    }

    /** Whether it multiplies in bfloat16. */
    public boolean bfloat16() {
        return this == ONEDNN_BF16 || this == GEMM_BF16 || this == GEMM_SELECT_BF16 || this == PREPACKED_BF16;
    }

    /** What it does, in a few words. */
    public String description() {
        return description;
    }

    /** Its name in settings, caches and reports: {@code onednn}, {@code gemm}, {@code onednn_bf16}, … */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The route named {@code id}. */
    public static ConvRoute of(String id) {
        for (ConvRoute r : values()) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no convolution route '" + id + "' (known: " + ids() + ")");
    }

    private static String ids() {
        StringBuilder sb = new StringBuilder();
        for (ConvRoute r : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(r.id());
        }
        return sb.toString();
    }
}
