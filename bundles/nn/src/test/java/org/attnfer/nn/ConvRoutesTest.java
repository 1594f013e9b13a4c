package org.attnfer.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.attnfer.nn.io.Tensor;
import org.attnfer.nn.pytorch.GradMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every convolution route against libtorch's float64 convolution, on shapes that include those
 * a kernel library got wrong on some processor (channel counts oneDNN pads, 1×1 convolutions of
 * 80, 512 and 1,024 channels on channels-last input) and maps smaller than the kernel's window:
 * a route either computes a shape right, or
 * the check {@link Routes} runs before using it says it does not; the route the policy chooses is
 * always right.
 */
class ConvRoutesTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** in, out, height, width, kernel, stride, padding, dilation, groups, bias, batch. */
    private static final int[][] SHAPES = {
        {3, 5, 7, 6, 3, 1, 1, 1, 1, 0, 2},
        {3, 5, 7, 6, 3, 2, 1, 1, 1, 1, 2},
        {3, 5, 7, 6, 5, 2, 2, 1, 1, 0, 2},
        {24, 24, 9, 9, 3, 1, 1, 1, 1, 0, 2},
        {64, 80, 5, 5, 1, 1, 0, 1, 1, 1, 2},
        {64, 512, 5, 5, 1, 2, 0, 1, 1, 1, 2},
        {1024, 256, 5, 5, 1, 1, 0, 1, 1, 1, 2},
        {32, 32, 9, 8, 3, 1, 2, 2, 1, 1, 2},
        {32, 32, 9, 8, 3, 1, 1, 1, 2, 1, 2},
        {32, 48, 9, 7, 1, 2, 0, 1, 1, 0, 1},
        {32, 48, 9, 7, 1, 1, 0, 1, 1, 1, 1},
        // maps smaller than the kernel's window, as ResNet's last stage on 48-pixel faces
        {16, 24, 2, 2, 3, 1, 1, 1, 1, 1, 3},
        {16, 8, 2, 1, 3, 1, 1, 1, 1, 0, 2},
        {8, 8, 5, 5, 3, 2, 1, 1, 1, 0, 2}
    };

    private static List<ConvShape> shapes() {
        List<ConvShape> out = new ArrayList<>();
        for (boolean training : new boolean[] {true, false}) {
            for (Precision p : Precision.values()) {
                for (int[] c : SHAPES) {
                    out.add(new ConvShape(
                            training,
                            p,
                            c[10],
                            c[0],
                            c[1],
                            c[2],
                            c[3],
                            c[4],
                            c[5],
                            c[6],
                            c[7],
                            c[8],
                            c[9] == 1,
                            ConvShape.Caller.LAYER));
                }
            }
        }
        return out;
    }

    /** Output, and in training input and weight gradient, of a route on given arrays. */
    private List<NDArray> run(ConvRoute route, ConvShape s, NDArray x, NDArray w, NDArray b, NDArray gy) {
        if (!route.training()) {
            return List.of(
                    GradMode.with(false, () -> ConvKernels.inference(route, new PrepackedConvolution(), s, x, w, b)));
        }
        NDArray xs = x.duplicate();
        NDArray ws = w.duplicate();
        xs.setRequiresGradient(true);
        ws.setRequiresGradient(true);
        NDArray y = GradMode.with(true, () -> {
            NDArray out = ConvKernels.training(route, s, s.training() ? Ops.channelsLast(xs) : xs, ws, b);
            GradMode.backward(out, gy);
            return out;
        });
        return List.of(y, xs.getGradient(), ws.getGradient());
    }

    private record Arrays4(NDArray x, NDArray w, NDArray b, NDArray gy) {}

    private Arrays4 arrays(ConvShape s) {
        NDArray x = manager.randomNormal(new Shape(s.batch(), s.in(), s.height(), s.width()));
        NDArray w = manager.randomNormal(new Shape(s.out(), s.in() / s.groups(), s.kernel(), s.kernel()))
                .div(manager.create((float) Math.sqrt((double) (s.in() / s.groups() * s.kernel() * s.kernel()))));
        NDArray b = s.bias() ? manager.randomNormal(new Shape(s.out())) : null;
        NDArray gy = manager.randomNormal(new Shape(s.batch(), s.out(), s.outHeight(), s.outWidth()));
        if (s.training() && s.bfloat16()) {
            // a bfloat16 network passes bfloat16 activations and gradients
            return new Arrays4(BFloat16.cast(x), w, b, BFloat16.cast(gy));
        }
        return new Arrays4(x, w, b, gy);
    }

    /** The largest error relative to the largest reference value, over output and gradients. */
    private double error(ConvRoute route, ConvShape s) {
        Arrays4 a = arrays(s);
        NDList expected = RouteTiming.reference(s, a.x(), a.w(), a.b() == null ? a.w() : a.b(), a.gy(), manager);
        List<NDArray> actual = run(route, s, a.x(), a.w(), a.b(), a.gy());
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            NDArray e = expected.get(i);
            NDArray got = actual.get(i).toType(DataType.FLOAT64, false);
            assertThat(got.getShape()).as("%s on %s, result %d", route, s, i).isEqualTo(e.getShape());
            worst = Math.max(
                    worst, got.sub(e).abs().max().getDouble() / e.abs().max().getDouble());
        }
        return worst;
    }

    @Test
    void aRouteComputesRightOrItsCheckRejectsIt() {
        RouteTiming timing = new RouteTiming();
        for (ConvShape s : shapes()) {
            for (ConvRoute r : s.candidates()) {
                double error = error(r, s);
                double tolerance = s.rounds(r) ? 5e-2 : 1e-4;
                if (!(error <= tolerance)) {
                    assertThat(timing.measure(s, r, Double.POSITIVE_INFINITY).fault())
                            .as("%s on %s is off by %.3g but its check passed it", r, s, error)
                            .isNotNull();
                }
            }
        }
    }

    @Test
    void theProductRoutesAreRightOnEveryShape() {
        // plain products (MKL), the routes of last resort with libtorch without oneDNN
        Map<ConvRoute, Integer> checked = new java.util.EnumMap<>(ConvRoute.class);
        for (ConvShape s : shapes()) {
            for (ConvRoute r : List.of(ConvRoute.GEMM, ConvRoute.GEMM_IM2COL, ConvRoute.SLOW)) {
                if (s.candidates().contains(r)) {
                    assertThat(error(r, s)).as("%s on %s", r, s).isLessThanOrEqualTo(1e-4);
                    checked.merge(r, 1, Integer::sum);
                }
            }
        }
        assertThat(checked).containsOnlyKeys(ConvRoute.GEMM, ConvRoute.GEMM_IM2COL, ConvRoute.SLOW);
    }

    @Test
    void theSelectionRouteIsRightWhereverItIsACandidate() {
        // padding rows of the selection matrix are zero, and stride 2 skips pixels
        List<ConvShape> small = shapes().stream()
                .filter(s -> s.candidates().contains(ConvRoute.GEMM_SELECT_BF16))
                .toList();
        assertThat(small)
                .extracting(s -> s.height() + "x" + s.width() + " s" + s.stride())
                .containsExactly("2x2 s1", "2x1 s1", "5x5 s2");
        for (ConvShape s : small) {
            assertThat(error(ConvRoute.GEMM_SELECT_BF16, s)).as("%s", s).isLessThanOrEqualTo(5e-2);
        }
    }

    @Test
    void theRouteThePolicyChoosesIsRight() {
        for (ConvShape s : shapes()) {
            ConvRoute r = Routes.policy().route(s);
            assertThat(s.candidates()).contains(r);
            assertThat(error(r, s)).as("%s on %s", r, s).isLessThanOrEqualTo(s.rounds(r) ? 5e-2 : 1e-4);
        }
    }

    @Test
    void theCheckRejectsAKernelThatIsWrongByAPercent() {
        RouteTiming.Kernels wrong = new RouteTiming.Kernels() {
            @Override
            public NDArray training(ConvRoute route, ConvShape s, NDArray x, NDArray w, NDArray b) {
                NDArray y = ConvKernels.training(route, s, x, w, b);
                return route == ConvRoute.GEMM ? y.mul(y.getManager().create(1.01f)) : y;
            }

            @Override
            public NDArray inference(
                    ConvRoute route, PrepackedConvolution packed, ConvShape s, NDArray x, NDArray w, NDArray b) {
                NDArray y = ConvKernels.inference(route, packed, s, x, w, b);
                return route == ConvRoute.PLAIN ? y.mul(y.getManager().create(1.01f)) : y;
            }
        };
        RouteTiming timing = new RouteTiming(wrong);
        ConvShape train =
                new ConvShape(true, Precision.FLOAT32, 2, 8, 16, 6, 6, 3, 1, 1, 1, 1, false, ConvShape.Caller.LAYER);
        ConvShape infer =
                new ConvShape(false, Precision.FLOAT32, 2, 8, 16, 6, 6, 3, 1, 1, 1, 1, true, ConvShape.Caller.LAYER);
        assertThat(timing.measure(train, ConvRoute.GEMM, Double.POSITIVE_INFINITY)
                        .fault())
                .startsWith("output off by");
        assertThat(timing.measure(train, ConvRoute.ONEDNN, Double.POSITIVE_INFINITY)
                        .fault())
                .isNull();
        assertThat(timing.measure(infer, ConvRoute.PLAIN, Double.POSITIVE_INFINITY)
                        .fault())
                .startsWith("output off by");
        assertThat(timing.measure(infer, ConvRoute.SLOW, Double.POSITIVE_INFINITY)
                        .millis())
                .isPositive();
    }

    @Test
    void bfloat16RoutesRoundTheirInputsAndPassGradientsBack() {
        // 1 + 2^-10 needs 10 bits of mantissa: float32 keeps it, bfloat16 (7 bits) rounds it to 1
        float fine = 1f + 0x1p-10f;
        ConvShape s =
                new ConvShape(true, Precision.BFLOAT16, 1, 16, 16, 3, 3, 3, 1, 0, 1, 1, true, ConvShape.Caller.LAYER);
        NDArray x = manager.full(new Shape(1, 16, 3, 3), fine);
        NDArray w = manager.ones(new Shape(16, 16, 3, 3));
        NDArray b = manager.full(new Shape(16), 1f);
        b.setRequiresGradient(true);
        for (ConvRoute r : List.of(ConvRoute.ONEDNN_BF16, ConvRoute.GEMM_BF16, ConvRoute.GEMM_SELECT_BF16)) {
            List<NDArray> out = run(r, s, x, w, b, BFloat16.cast(manager.ones(new Shape(1, 16, 1, 1))));
            // the next layer gets bfloat16: 16·9 rounded pixels plus the bias, exact in 8 bits
            assertThat(BFloat16.holds(out.get(0))).as("%s", r).isTrue();
            assertThat(BFloat16.toFloat32(out.get(0)).toFloatArray()).containsOnly(145f);
            // one output pixel: dL/dx = the sum of the 16 weights on each input; dL/dw = the rounded pixel
            assertThat(out.get(1).toFloatArray()).as("%s", r).containsOnly(16f);
            assertThat(out.get(2).toFloatArray()).as("%s", r).containsOnly(1f);
        }
        // each route adds its own 1 to the bias gradient
        assertThat(b.getGradient().toFloatArray()).containsOnly(3f);
        ConvShape exact =
                new ConvShape(true, Precision.FLOAT32, 1, 16, 16, 3, 3, 3, 1, 0, 1, 1, true, ConvShape.Caller.LAYER);
        assertThat(run(ConvRoute.ONEDNN, exact, x, w, b, manager.ones(new Shape(1, 16, 1, 1)))
                        .get(0)
                        .toFloatArray())
                .containsOnly(144 * fine + 1f);
        // inference rounds its result to bfloat16 too, on float32 activations: 1×1, so that 17 is representable
        ConvShape infer =
                new ConvShape(false, Precision.BFLOAT16, 1, 16, 16, 3, 3, 1, 1, 0, 1, 1, true, ConvShape.Caller.LAYER);
        NDArray w1 = manager.ones(new Shape(16, 16, 1, 1));
        assertThat(run(ConvRoute.PREPACKED_BF16, infer, x, w1, b, null).get(0).toFloatArray())
                .containsOnly(17f);
        assertThat(run(ConvRoute.PREPACKED, infer, x, w1, b, null).get(0).toFloatArray())
                .containsOnly(16 * fine + 1f);
    }

    @Test
    void bfloat16TrainingConvolvesTheImageInBfloat16WhileInferenceKeepsItExact() {
        // in training every activation, the image included, is bfloat16, so every route returns it
        ConvShape stem =
                new ConvShape(true, Precision.BFLOAT16, 2, 3, 64, 48, 48, 7, 2, 3, 1, 1, false, ConvShape.Caller.LAYER);
        assertThat(stem.bfloat16()).isTrue();
        assertThat(stem.candidates()).containsExactly(ConvRoute.ONEDNN_BF16, ConvRoute.GEMM_BF16, ConvRoute.ONEDNN);
        assertThat(stem.rounds(ConvRoute.ONEDNN)).isTrue();
        ConvShape inferStem = new ConvShape(
                false, Precision.BFLOAT16, 2, 3, 64, 48, 48, 7, 2, 3, 1, 1, false, ConvShape.Caller.LAYER);
        assertThat(inferStem.bfloat16()).isFalse();
        assertThat(inferStem.candidates()).doesNotContain(ConvRoute.PREPACKED_BF16);
        ConvShape later = new ConvShape(
                false, Precision.BFLOAT16, 2, 64, 64, 12, 12, 3, 1, 1, 1, 1, false, ConvShape.Caller.LAYER);
        assertThat(later.candidates()).startsWith(ConvRoute.PREPACKED_BF16);
        assertThat(later.rounds(ConvRoute.PREPACKED)).isFalse();
        // a static call keeps no packed weight, so it has no prepacked routes
        ConvShape unpacked = new ConvShape(
                false, Precision.FLOAT32, 1, 64, 64, 12, 12, 1, 1, 0, 1, 1, false, ConvShape.Caller.STATIC);
        assertThat(unpacked.candidates()).containsExactly(ConvRoute.PLAIN, ConvRoute.SLOW);
        assertThat(unpacked.key()).endsWith(" static");
    }

    @Test
    void prepackedWeightsAreRebuiltWhenParameterChangesAreRecorded() {
        ConvShape s =
                new ConvShape(false, Precision.FLOAT32, 1, 3, 16, 6, 6, 3, 1, 1, 1, 1, true, ConvShape.Caller.LAYER);
        PrepackedConvolution packed = new PrepackedConvolution();
        NDArray x = manager.randomNormal(new Shape(1, 3, 6, 6));
        NDArray w = manager.randomNormal(new Shape(16, 3, 3, 3));
        NDArray b = manager.randomNormal(new Shape(16));
        NDArray before = packed.forward(s, ConvRoute.PREPACKED, w, b, null, false, x);
        // an in-place write nobody records: the packed weight is a copy, so the result is stale
        w.muli(manager.create(2f));
        assertClose(packed.forward(s, ConvRoute.PREPACKED, w, b, null, false, x), before, "unrecorded change");
        StateDict.changed();
        assertClose(
                packed.forward(s, ConvRoute.PREPACKED, w, b, null, false, x),
                ConvKernels.inference(ConvRoute.PLAIN, null, s, x, w, b),
                "recorded change");
    }

    @Test
    void foldedRoutesEqualTheConvolutionThenBatchNormThenRelu() {
        BatchNorm bn = new BatchNorm(48);
        bn.initialize(manager, DataType.FLOAT32, new Shape(1, 48, 5, 4));
        StateDict.load(
                bn,
                Map.of(
                        "weight", Tensor.of(manager.linspace(-2f, 3f, 48)),
                        "bias", Tensor.of(manager.linspace(-1f, 2f, 48)),
                        "running_mean", Tensor.of(manager.linspace(-0.2f, 1f, 48)),
                        "running_var", Tensor.of(manager.linspace(0.1f, 4f, 48))),
                true);
        for (int stride : new int[] {1, 2}) {
            ConvShape s = new ConvShape(
                    false, Precision.FLOAT32, 1, 32, 48, 9, 7, 1, stride, 0, 1, 1, stride == 1, ConvShape.Caller.LAYER);
            NDArray x = manager.randomNormal(new Shape(1, 32, 9, 7));
            NDArray w = manager.randomNormal(new Shape(48, 32, 1, 1));
            NDArray b = stride == 1 ? manager.randomNormal(new Shape(48)) : null;
            for (ConvRoute r : List.of(ConvRoute.PREPACKED, ConvRoute.PRODUCT)) {
                for (boolean relu : new boolean[] {false, true}) {
                    NDArray plain = bn.forward(
                                    new ParameterStore(manager, false),
                                    new NDList(ConvKernels.inference(ConvRoute.PLAIN, null, s, x, w, b)),
                                    false)
                            .singletonOrThrow();
                    NDArray expected = relu ? Ops.relu(plain) : plain;
                    NDArray folded = new PrepackedConvolution().forward(s, r, w, b, bn, relu, x);
                    assertClose(folded, expected, r + ", stride " + stride + ", relu " + relu);
                }
            }
        }
    }

    private static void assertClose(NDArray actual, NDArray expected, String what) {
        assertThat(actual.getShape()).as(what).isEqualTo(expected.getShape());
        float scale = Math.max(1e-3f, expected.abs().max().getFloat());
        assertThat(actual.sub(expected).abs().max().getFloat()).as(what).isLessThanOrEqualTo(1e-5f * scale);
    }

    @Test
    void oneByOneConvolutionsEqualTheirSumsWrittenOut() {
        // y = Σ_c W[o,c]·x[c] + b, independent of any library, for the widths oneDNN got wrong on one processor
        for (int[] c : new int[][] {{64, 80, 1}, {64, 512, 2}, {1024, 256, 1}}) {
            int in = c[0];
            int out = c[1];
            int s = c[2];
            ConvShape shape = new ConvShape(
                    true, Precision.FLOAT32, 2, in, out, 5, 5, 1, s, 0, 1, 1, true, ConvShape.Caller.LAYER);
            float[] x = manager.randomNormal(new Shape(2, in, 5, 5)).toFloatArray();
            float[] w = manager.randomNormal(new Shape(out, in, 1, 1)).toFloatArray();
            float[] b = manager.randomNormal(new Shape(out)).toFloatArray();
            int ho = (5 - 1) / s + 1;
            double[] y = new double[2 * out * ho * ho];
            for (int n = 0; n < 2; n++) {
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < ho; i++) {
                        for (int j = 0; j < ho; j++) {
                            double sum = b[o];
                            for (int ch = 0; ch < in; ch++) {
                                sum += (double) w[o * in + ch] * x[((n * in + ch) * 5 + i * s) * 5 + j * s];
                            }
                            y[((n * out + o) * ho + i) * ho + j] = sum;
                        }
                    }
                }
            }
            ConvRoute route = Routes.policy().route(shape);
            NDArray xs = Ops.channelsLast(manager.create(x, new Shape(2, in, 5, 5)));
            NDArray ws = manager.create(w, new Shape(out, in, 1, 1));
            NDArray chosen = GradMode.with(true, () -> ConvKernels.training(route, shape, xs, ws, manager.create(b)));
            float[] expected = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                expected[i] = (float) y[i];
            }
            assertClose(chosen, manager.create(expected, chosen.getShape()), Arrays.toString(c));
        }
    }
}
