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
import java.util.concurrent.ConcurrentHashMap;
import org.attnfer.api.AttentionMaps;
import org.attnfer.nn.BFloat16;
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
    /** The one-hot slot pickers of {@link #dense}, by input height and width. */
    private final Map<Long, float[]> picks = new ConcurrentHashMap<>();

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
        depConv = child(
                "dep_conv",
                Conv2d.builder(kConv * kConv * headDim, channels)
                        .kernel(kConv)
                        .stride(stride)
                        .padding(kConv / 2)
                        .groups(headDim)
                        .bias(false)
                        .weightInit(shiftKernels(kConv))
                        .build());
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

    /**
     * {@code x [B, D, H, W]} with its borders reflected ({@code k_att − 1} more rows and columns),
     * by gathering whole rows, then columns: cheap to differentiate, unlike a gather of every
     * window element.
     */
    private NDArray padded(NDArray x) {
        NDManager manager = x.getManager();
        return x.get(new NDIndex(
                        ":, :, {}", manager.create(reflected((int) x.getShape().get(2)))))
                .get(new NDIndex(":, :, :, {}", manager.create(reflected((int)
                        x.getShape().get(3)))));
    }

    /** Slot {@code (a, b)} of every window of a {@link #padded} map: {@code [B, D, Ho, Wo]}. */
    private NDArray slot(NDArray padded, int a, int b, long ho, long wo) {
        return padded.get(new NDIndex()
                .addAllDim(2)
                .addSliceDim(a, a + stride * (ho - 1) + 1, stride)
                .addSliceDim(b, b + stride * (wo - 1) + 1, stride));
    }

    /** The source of each of the {@code n + k_att − 1} positions of a reflected, padded axis. */
    private long[] reflected(int n) {
        int p = (kAtt - 1) / 2;
        long[] source = new long[n + kAtt - 1];
        for (int t = 0; t < source.length; t++) {
            source[t] = reflect(t - p, n);
        }
        return source;
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

    /**
     * The self-attention path: its output {@code [N, C, Ho, Wo]}, the attention weights {@code
     * [N·heads, k², Ho, Wo]}, then the projections {@code q, k, v}. The reference's logits {@code
     * q·(k_w + pe_centre − pe_w)} are computed as {@code q·(k − pe)_w}: the dropped term {@code
     * q·pe_centre} is the same for every slot of a window, so the softmax ignores it.
     */
    private NDList selfAttention(ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params) {
        long n = x.getShape().get(0);
        int h = (int) x.getShape().get(2);
        int w = (int) x.getShape().get(3);
        NDArray q = run(conv1, ps, x, training, params);
        NDArray k = run(conv2, ps, x, training, params);
        NDArray v = run(conv3, ps, x, training, params);
        NDArray pe = run(convP, ps, grid(x.getManager(), h, w), training, params);
        NDIndex centres = new NDIndex().addAllDim(2).addSliceDim(0, h, stride).addSliceDim(0, w, stride);
        NDArray queries = Ops.scale(q.reshape(n * heads, headDim, h, w), (float) (1 / Math.sqrt(headDim)))
                .get(centres);
        NDArray keys = k.reshape(n * heads, headDim, h, w).sub(pe);
        NDArray values = v.reshape(n * heads, headDim, h, w);
        long ho = queries.getShape().get(2);
        long wo = queries.getShape().get(3);
        // measured crossover: dense wins up to about 14×14 outputs (2.7× at 12×12), slots beyond
        NDList out = ho * wo <= 4L * kAtt * kAtt ? dense(queries, keys, values) : bySlot(queries, keys, values);
        return new NDList(out.get(0).reshape(n, channels, ho, wo), out.get(1), q, k, v);
    }

    /**
     * Window attention one slot at a time on reflected maps: {@code (output [B, D, Ho, Wo],
     * weights [B, k², Ho, Wo])}. A tensor of all k² windows at once costs twice the time in memory
     * traffic.
     */
    NDList bySlot(NDArray queries, NDArray keys, NDArray values) {
        long ho = queries.getShape().get(2);
        long wo = queries.getShape().get(3);
        NDArray paddedKeys = padded(keys);
        NDList logits = new NDList(kAtt * kAtt);
        for (int a = 0; a < kAtt; a++) {
            for (int b = 0; b < kAtt; b++) {
                logits.add(queries.mul(slot(paddedKeys, a, b, ho, wo)).sum(new int[] {1}));
            }
        }
        NDArray att = Ops.softmax(NDArrays.stack(logits, 1), 1);
        NDArray paddedValues = padded(values);
        NDArray out = null;
        for (int s = 0; s < kAtt * kAtt; s++) {
            NDArray term =
                    att.get(new NDIndex(":, {}:{}", s, s + 1)).mul(slot(paddedValues, s / kAtt, s % kAtt, ho, wo));
            out = out == null ? term : out.add(term);
        }
        return new NDList(out, att);
    }

    /**
     * Window attention on small maps, where reflection blows each map up many times: every
     * query against every position by matrix products, with a constant one-hot {@code [Ho·Wo, H·W,
     * k²]} picking each window's slots (several slots may read one position).
     */
    NDList dense(NDArray queries, NDArray keys, NDArray values) {
        long b = queries.getShape().get(0);
        long ho = queries.getShape().get(2);
        long wo = queries.getShape().get(3);
        int h = (int) keys.getShape().get(2);
        int w = (int) keys.getShape().get(3);
        NDArray slots = slotsOf(queries.getManager(), h, w, (int) ho, (int) wo);
        // in the queries' type: bfloat16 in bfloat16 training, float64 in gradient checks
        NDArray pick = BFloat16.holds(queries) ? BFloat16.cast(slots) : slots.toType(queries.getDataType(), false);
        NDArray scores = queries.reshape(b, headDim, -1).transpose(0, 2, 1).batchMatMul(keys.reshape(b, headDim, -1));
        NDArray att = Ops.softmax(scores.transpose(1, 0, 2).batchMatMul(pick), 2);
        NDArray spread = att.batchMatMul(pick.transpose(0, 2, 1)).transpose(1, 2, 0);
        NDArray out = values.reshape(b, headDim, -1).batchMatMul(spread).reshape(b, headDim, ho, wo);
        return new NDList(out, att.transpose(1, 2, 0).reshape(b, (long) kAtt * kAtt, ho, wo));
    }

    /** {@code [Ho·Wo, H·W, k²]}: 1 where slot s of the window at an output position reads an input position. */
    private NDArray slotsOf(NDManager manager, int h, int w, int ho, int wo) {
        int k2 = kAtt * kAtt;
        // the same few map sizes come back every step: build each one-hot once
        float[] pick = picks.computeIfAbsent(((long) h << 32) | w, key -> {
            int p = (kAtt - 1) / 2;
            float[] one = new float[ho * wo * h * w * k2];
            for (int i = 0; i < ho; i++) {
                for (int j = 0; j < wo; j++) {
                    for (int s = 0; s < k2; s++) {
                        int source = reflect(stride * i + s / kAtt - p, h) * w + reflect(stride * j + s % kAtt - p, w);
                        one[((i * wo + j) * h * w + source) * k2 + s] = 1f;
                    }
                }
            }
            return one;
        });
        return manager.create(pick, new Shape((long) ho * wo, (long) h * w, k2));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.singletonOrThrow();
        long n = x.getShape().get(0);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDList a = selfAttention(ps, x, training, params);
        NDArray outAtt = a.get(0);
        NDArray q = a.get(2);
        NDArray k = a.get(3);
        NDArray v = a.get(4);

        // convolution path: the unscaled projections, head-major, mixed per head channel by fc
        NDArray g = NDArrays.concat(
                new NDList(
                        q.reshape(n, heads, headDim, h * w),
                        k.reshape(n, heads, headDim, h * w),
                        v.reshape(n, heads, headDim, h * w)),
                1);
        NDArray f = run(fc, ps, g, training, params);
        NDArray shifted = f.transpose(0, 2, 1, 3).reshape(n, -1, h, w);
        NDArray outConv = run(depConv, ps, shifted, training, params);

        NDArray r1 = BFloat16.like(ps.getValue(rate1, x.getDevice(), training), outAtt);
        NDArray r2 = BFloat16.like(ps.getValue(rate2, x.getDevice(), training), outConv);
        return new NDList(outAtt.mul(r1).add(outConv.mul(r2)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {
            new Shape(s.get(0), channels, ceilDiv((int) s.get(2), stride), ceilDiv((int) s.get(3), stride))
        };
    }

    /** The two attention products: logits and the weighted sum of values, {@code 2·C·k_att²·Ho·Wo}. */
    @Override
    public long macs(Shape[] input, Shape[] output) {
        Shape o = output[0];
        return 2L * channels * kAtt * kAtt * o.get(0) * o.get(2) * o.get(3);
    }

    @Override
    public Map<String, NDArray> attentionMaps(ParameterStore store, NDArray input) {
        NDArray att = selfAttention(store, input, false, null).get(1);
        NDArray r1 = store.getValue(rate1, input.getDevice(), false);
        NDArray r2 = store.getValue(rate2, input.getDevice(), false);
        // the weight of the window's centre: how much each position attends to itself
        NDArray centre = att.get(new NDIndex(":, {}, :, :", kAtt * kAtt / 2));
        Shape s = att.getShape();
        return Map.of(
                "rate1",
                r1,
                "rate2",
                r2,
                "self",
                centre.reshape(input.getShape().get(0), heads, s.get(2), s.get(3))
                        .mean(new int[] {1}, true));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
