package org.attnfer.attention.acmix.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.Map;
import org.attnfer.api.AttentionMaps;
import org.attnfer.nn.Conv2d;
import org.attnfer.nn.Costed;
import org.attnfer.nn.Init;
import org.attnfer.nn.Module;
import org.attnfer.nn.Ops;

/**
 * ACmix (Pan, Ge, Lu, Song, Chen, Huang, Huang, <i>On the Integration of Self-Attention and
 * Convolution</i>, CVPR 2022), ResNet form: shared 1×1 projections {@code q, k, v} feed both a
 * local self-attention path (k_att × k_att windows with a learned relative position term) and a
 * convolution path (a learned mix of the projections through shift kernels); the output is {@code
 * rate1 · attention + rate2 · convolution}.
 *
 * <p>Unlike the official code, the windows use reflection repeated as often as needed, and the
 * output size is {@code ⌈H/s⌉}, so that small and odd-sized maps work (the official code crashes on
 * them and agrees wherever it runs).
 */
final class AcMix extends Module implements AttentionMaps, Costed {

    private final int channels;
    private final int heads;
    private final int headDim;
    private final int kAtt;
    private final int stride;
    private final Parameter rate1;
    private final Parameter rate2;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Conv2d conv3;
    private final Conv2d convP;
    private final Conv2d fc;
    private final Conv2d depConv;

    AcMix(int channels, int heads, int kAtt, int kConv, int stride) {
        this.channels = channels;
        this.heads = heads;
        this.headDim = channels / heads;
        this.kAtt = kAtt;
        this.stride = stride;
        rate1 = param("rate1", Parameter.Type.OTHER, new Shape(1), Init.constant(0.5f));
        rate2 = param("rate2", Parameter.Type.OTHER, new Shape(1), Init.constant(0.5f));
        conv1 = child("conv1", Conv2d.builder(channels, channels).build());
        conv2 = child("conv2", Conv2d.builder(channels, channels).build());
        conv3 = child("conv3", Conv2d.builder(channels, channels).build());
        convP = child("conv_p", Conv2d.builder(2, headDim).build());
        fc = child("fc", Conv2d.builder(3 * heads, kConv * kConv).bias(false).build());
        depConv = child("dep_conv", Conv2d.builder(kConv * kConv * headDim, channels)
                .kernel(kConv).stride(stride).padding(kConv / 2).groups(headDim).bias(false)
                .weightInit(shiftKernels(kConv)).build());
    }

    /** {@code w[o, t, u, v] = 1} where {@code (u, v) = (⌊t/k⌋, t mod k)}: each input slot shifts by its offset. */
    static Initializer shiftKernels(int k) {
        return (manager, shape, dataType) -> {
            long out = shape.get(0);
            float[] w = new float[(int) shape.size()];
            for (int o = 0; o < out; o++) {
                for (int t = 0; t < k * k; t++) {
                    w[((o * k * k + t) * k + t / k) * k + t % k] = 1f;
                }
            }
            return manager.create(w, shape).toType(dataType, false);
        };
    }

    /** Index {@code t ∈ [−p, n−1+p]} reflected into {@code [0, n)} without repeating the edge, as often as needed. */
    static int reflect(int t, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int u = Math.floorMod(t, period);
        return u < n ? u : period - u;
    }

    /** Rows and columns of every window slot at every output position: two {@code [k², Ho, Wo]} index arrays. */
    private NDList windows(NDManager manager, int h, int w) {
        int ho = ceilDiv(h, stride);
        int wo = ceilDiv(w, stride);
        int p = (kAtt - 1) / 2;
        long[] rows = new long[kAtt * kAtt * ho * wo];
        long[] cols = new long[rows.length];
        int n = 0;
        for (int a = -p; a <= p; a++) {
            for (int b = -p; b <= p; b++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++, n++) {
                        rows[n] = reflect(stride * i + a, h);
                        cols[n] = reflect(stride * j + b, w);
                    }
                }
            }
        }
        Shape shape = new Shape(kAtt * kAtt, ho, wo);
        return new NDList(manager.create(rows, shape), manager.create(cols, shape));
    }

    /** The coordinate grid: channel 0 the x coordinate −1…1 along the width, channel 1 the y coordinate. */
    private static NDArray grid(NDManager manager, int h, int w) {
        float[] g = new float[2 * h * w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                g[i * w + j] = w == 1 ? -1f : -1f + 2f * j / (w - 1);
                g[h * w + i * w + j] = h == 1 ? -1f : -1f + 2f * i / (h - 1);
            }
        }
        return manager.create(g, new Shape(1, 2, h, w));
    }

    /** The attention weights {@code [N·heads, k², Ho, Wo]} and the projections. */
    private NDList attention(ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params) {
        long n = x.getShape().get(0);
        int h = (int) x.getShape().get(2);
        int w = (int) x.getShape().get(3);
        NDArray q = run(conv1, ps, x, training, params);
        NDArray k = run(conv2, ps, x, training, params);
        NDArray v = run(conv3, ps, x, training, params);
        NDArray pe = run(convP, ps, grid(x.getManager(), h, w), training, params);
        NDIndex centres = new NDIndex().addAllDim(2).addSliceDim(0, h, stride).addSliceDim(0, w, stride);
        NDList idx = windows(x.getManager(), h, w);
        NDIndex window = new NDIndex(":, :, {}, {}", idx.get(0), idx.get(1));
        NDArray qc = Ops.scale(q.reshape(n * heads, headDim, h, w), (float) (1 / Math.sqrt(headDim))).get(centres);
        NDArray peC = pe.get(centres);
        NDArray kw = k.reshape(n * heads, headDim, h, w).get(window);
        NDArray peW = pe.get(window);
        NDArray logits = qc.expandDims(2).mul(kw.add(peC.expandDims(2)).sub(peW)).sum(new int[] {1});
        return new NDList(logits.softmax(1), q, k, v, idx.get(0), idx.get(1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        long n = x.getShape().get(0);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDList a = attention(ps, x, training, params);
        NDArray att = a.get(0);
        NDArray q = a.get(1);
        NDArray k = a.get(2);
        NDArray v = a.get(3);
        NDArray vw = v.reshape(n * heads, headDim, h, w).get(new NDIndex(":, :, {}, {}", a.get(4), a.get(5)));
        long ho = att.getShape().get(2);
        long wo = att.getShape().get(3);
        NDArray outAtt = att.expandDims(1).mul(vw).sum(new int[] {2}).reshape(n, channels, ho, wo);

        // convolution path: the unscaled projections, head-major, mixed per head channel by fc
        NDArray g = NDArrays.concat(new NDList(
                q.reshape(n, heads, headDim, h * w), k.reshape(n, heads, headDim, h * w), v.reshape(n, heads, headDim, h * w)), 1);
        NDArray f = run(fc, ps, g, training, params);
        NDArray shifted = f.transpose(0, 2, 1, 3).reshape(n, -1, h, w);
        NDArray outConv = run(depConv, ps, shifted, training, params);

        NDArray r1 = ps.getValue(rate1, x.getDevice(), training);
        NDArray r2 = ps.getValue(rate2, x.getDevice(), training);
        return new NDList(outAtt.mul(r1).add(outConv.mul(r2)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), channels, ceilDiv((int) s.get(2), stride), ceilDiv((int) s.get(3), stride))};
    }

    /** The two attention products: logits and the weighted sum of values, {@code 2·C·k_att²·Ho·Wo}. */
    @Override
    public long macs(Shape[] input, Shape[] output) {
        Shape o = output[0];
        return 2L * channels * kAtt * kAtt * o.get(0) * o.get(2) * o.get(3);
    }

    @Override
    public Map<String, NDArray> attentionMaps(ParameterStore store, NDArray input) {
        NDArray att = attention(store, input, false, null).get(0);
        NDArray r1 = store.getValue(rate1, input.getDevice(), false);
        NDArray r2 = store.getValue(rate2, input.getDevice(), false);
        // the weight of the window's centre: how much each position attends to itself
        NDArray centre = att.get(new NDIndex(":, {}, :, :", kAtt * kAtt / 2));
        Shape s = att.getShape();
        return Map.of("rate1", r1, "rate2", r2,
                "self", centre.reshape(input.getShape().get(0), heads, s.get(2), s.get(3)).mean(new int[] {1}, true));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
