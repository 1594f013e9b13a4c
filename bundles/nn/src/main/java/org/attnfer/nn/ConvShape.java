package org.attnfer.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One convolution call as the route policy sees it: what it computes, on which input shape, for
 * training (gradients recorded) or plain inference, in which precision. Routes are chosen per
 * shape, since the fastest route of a large early map is rarely that of a small late one.
 *
 * @param training whether gradients are recorded (training, Grad-CAM)
 * @param precision the arithmetic asked for
 * @param batch input batch
 * @param in input channels
 * @param out output channels
 * @param height input height
 * @param width input width
 * @param kernel square kernel size
 * @param stride stride
 * @param padding zero padding on every side
 * @param dilation dilation
 * @param groups groups
 * @param bias whether the convolution adds a bias
 * @param caller who calls: a static call keeps nothing between calls, so inference's prepacked routes
 *     are not candidates; a layer followed by its BatchNorm and ReLU has them folded into the
 *     prepacked routes, so their cost counts for the others
 */
public record ConvShape(
        boolean training,
        Precision precision,
        long batch,
        long in,
        long out,
        long height,
        long width,
        int kernel,
        int stride,
        int padding,
        int dilation,
        int groups,
        boolean bias,
        Caller caller) {

    /** Who makes the call, which decides the inference candidates and what their timing includes. */
    public enum Caller {
        /** A static call with the weight given: no weight is kept between calls. */
        STATIC,
        /** A {@link Conv2d} layer on its own. */
        LAYER,
        /** A {@link Conv2d} layer followed by a BatchNorm and a ReLU ({@link Conv2d#thenBatchNorm}). */
        LAYER_BATCH_NORM
    }

    private boolean packed() {
        return caller != Caller.STATIC;
    }

    /** Output height. */
    public long outHeight() {
        return size(height);
    }

    /** Output width. */
    public long outWidth() {
        return size(width);
    }

    private long size(long n) {
        return (n + 2L * padding - (long) dilation * (kernel - 1) - 1) / stride + 1;
    }

    /** The routes that can compute this call, in the order they are tried. */
    public List<ConvRoute> candidates() {
        List<ConvRoute> c = new ArrayList<>();
        boolean product = groups == 1 && dilation == 1;
        if (training && precision == Precision.BFLOAT16) {
            // the activations are bfloat16: the float32 route casts them, the others multiply them as they are
            c.add(ConvRoute.ONEDNN_BF16);
            if (product) {
                c.add(ConvRoute.GEMM_BF16);
            }
            if (product && SelectConvolution.fits(this)) {
                c.add(ConvRoute.GEMM_SELECT_BF16);
            }
            c.add(ConvRoute.ONEDNN);
        } else if (training) {
            c.add(ConvRoute.ONEDNN);
            if (product) {
                c.add(ConvRoute.GEMM);
            }
            if (product && kernel > 1) {
                c.add(ConvRoute.GEMM_IM2COL);
            }
        } else {
            if (packed() && bfloat16()) {
                c.add(ConvRoute.PREPACKED_BF16);
            }
            if (packed()) {
                c.add(ConvRoute.PREPACKED);
            }
            if (packed() && product && batch == 1 && kernel == 1 && padding == 0) {
                c.add(ConvRoute.PRODUCT);
            }
            c.add(ConvRoute.PLAIN);
            c.add(ConvRoute.SLOW);
        }
        return c;
    }

    /**
     * Whether bfloat16 routes are candidates: in training wherever asked for, since the activations
     * are bfloat16 then; in inference where asked for except on the image, whose one or three
     * channels gain nothing from it and stay exact.
     */
    public boolean bfloat16() {
        return precision == Precision.BFLOAT16 && (training || in > 3);
    }

    /**
     * Whether the route's result on this shape is rounded to bfloat16: a bfloat16 route's always,
     * and in bfloat16 training every route's, since the activations it passes on are bfloat16.
     */
    public boolean rounds(ConvRoute route) {
        return route.bfloat16() || (training && bfloat16());
    }

    /** Multiply-accumulates of the call. */
    public long macs() {
        return batch * out * outHeight() * outWidth() * (in / groups) * kernel * kernel;
    }

    /** A key for caches and reports, e.g. {@code train float32 32x64x12x12 -> 128 k3 s2 p1 d1 g1}. */
    public String key() {
        return String.format(
                Locale.ROOT,
                "%s %s %dx%dx%dx%d -> %d k%d s%d p%d d%d g%d%s%s",
                training ? "train" : "infer",
                precision.id(),
                batch,
                in,
                height,
                width,
                out,
                kernel,
                stride,
                padding,
                dilation,
                groups,
                bias ? " bias" : "",
                training ? "" : caller == Caller.STATIC ? " static" : caller == Caller.LAYER_BATCH_NORM ? " +bn" : "");
    }

    @Override
    public String toString() {
        return key();
    }
}
