package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.attnfer.nn.pytorch.GradMode;
import org.attnfer.nn.pytorch.TorchScript;

/**
 * Checks and times one route on one shape, for {@link Routes}. The check runs the route on two
 * images of the shape and compares its output, and in training its input and weight gradients,
 * with libtorch's float64 convolution (which no float32 kernel library takes part in); the
 * timing runs it on the whole batch, forward and in training backward, and takes the fastest
 * run: other work on the machine (another process, the JVM compiling) only ever adds time, so
 * the minimum is the figure least disturbed by it.
 */
class RouteTiming {

    /** The kernels behind the routes: {@link ConvKernels}, or in tests a kernel made wrong on purpose. */
    interface Kernels {
        NDArray training(ConvRoute route, ConvShape s, NDArray x, NDArray w, NDArray b);

        NDArray inference(ConvRoute route, PrepackedConvolution packed, ConvShape s, NDArray x, NDArray w, NDArray b);
    }

    static final Kernels LIBRARY = new Kernels() {
        @Override
        public NDArray training(ConvRoute route, ConvShape s, NDArray x, NDArray w, NDArray b) {
            return ConvKernels.training(route, s, x, w, b);
        }

        @Override
        public NDArray inference(
                ConvRoute route, PrepackedConvolution packed, ConvShape s, NDArray x, NDArray w, NDArray b) {
            return ConvKernels.inference(route, packed, s, x, w, b);
        }
    };

    private final Kernels kernels;

    RouteTiming() {
        this(LIBRARY);
    }

    RouteTiming(Kernels kernels) {
        this.kernels = kernels;
    }

    /**
     * What a route did on a shape: its fastest call in milliseconds, or why it may not be used.
     *
     * @param millis the fastest call, forward and backward in training
     * @param fault what it computed wrongly, or {@code null}
     */
    record Result(double millis, String fault) {}

    // largest error allowed, relative to the largest reference value: float32 sums of a few
    // thousand products stay near 1e-6; bfloat16 rounds every factor to 8 bits
    private static final double TOLERANCE_FLOAT32 = 1e-3;
    private static final double TOLERANCE_BFLOAT16 = 5e-2;
    private static final int CHECKED_IMAGES = 2;
    private static final int WARMUP_RUNS = 2;
    private static final int MIN_RUNS = 5;
    private static final int MAX_RUNS = 20;
    private static final double MIN_MILLIS = 50;
    // a route this many times slower than the best so far is not timed further
    private static final double HOPELESS = 4;

    private static final class Reference {
        static final TorchScript SCRIPT = TorchScript.compile("ConvolutionReference", """
                def reference(self, x: Tensor, w: Tensor, b: Tensor, gy: Tensor, stride: int, padding: int,
                              dilation: int, groups: int, bias: bool, grads: bool) -> List[Tensor]:
                  x64 = x.double()
                  w64 = w.double()
                  b64: Optional[Tensor] = None
                  if bias:
                    b64 = b.double()
                  y = torch.conv2d(x64, w64, b64, [stride, stride], [padding, padding], [dilation, dilation], groups)
                  if not grads:
                    return [y]
                  g = ops.aten.convolution_backward(gy.double(), x64, w64, None, [stride, stride], [padding, padding],
                                                    [dilation, dilation], False, [0, 0], groups, [True, True, False])
                  return [y, g[0], g[1]]
                """);
    }

    Result measure(ConvShape shape, ConvRoute route, double bestMillis) {
        try (NDManager m = NDManager.newBaseManager()) {
            Inputs in = inputs(shape, m);
            String fault = check(shape, route, in.first(Math.min(CHECKED_IMAGES, shape.batch())), m);
            if (fault != null) {
                return new Result(Double.NaN, fault);
            }
            return new Result(time(shape, route, in, bestMillis), null);
        } catch (RuntimeException e) {
            return new Result(Double.NaN, "failed: " + e.getMessage());
        }
    }

    /** Random input, weight, bias and output gradient of a shape. */
    private record Inputs(NDArray x, NDArray w, NDArray b, NDArray gy) {
        Inputs first(long n) {
            NDIndex head = new NDIndex("0:{}", n);
            return new Inputs(x.get(head), w, b, gy.get(head));
        }
    }

    private static Inputs inputs(ConvShape s, NDManager m) {
        NDArray x = m.randomNormal(new Shape(s.batch(), s.in(), s.height(), s.width()));
        if (s.training()) {
            x = Ops.channelsLast(x);
        }
        long fanIn = s.in() / s.groups() * s.kernel() * s.kernel();
        NDArray w = Ops.scale(m.randomNormal(new Shape(s.out(), s.in() / s.groups(), s.kernel(), s.kernel())), (float)
                (1 / Math.sqrt((double) fanIn)));
        NDArray b = Ops.scale(m.randomNormal(new Shape(s.out())), 0.1f);
        NDArray gy = m.randomNormal(new Shape(s.batch(), s.out(), s.outHeight(), s.outWidth()));
        if (s.training() && s.bfloat16()) {
            // what a bfloat16 network's layers pass on
            return new Inputs(BFloat16.cast(x), w, b, BFloat16.cast(gy));
        }
        return new Inputs(x, w, b, gy);
    }

    /** The route's results on {@code in} against float64, or {@code null} when they agree. */
    private String check(ConvShape s, ConvRoute route, Inputs in, NDManager m) {
        ConvShape checked = resized(s, in.x().getShape().get(0));
        NDList expected = reference(s, in.x(), in.w(), in.b(), in.gy(), m);
        List<NDArray> actual = run(checked, route, in);
        String[] names = {"output", "input gradient", "weight gradient"};
        double tolerance = s.rounds(route) ? TOLERANCE_BFLOAT16 : TOLERANCE_FLOAT32;
        for (int i = 0; i < expected.size(); i++) {
            NDArray e = expected.get(i);
            NDArray a = actual.get(i).toType(DataType.FLOAT64, false);
            if (!Arrays.equals(a.getShape().getShape(), e.getShape().getShape())) {
                return names[i] + " of shape " + a.getShape() + ", expected " + e.getShape();
            }
            double scale = e.abs().max().getDouble();
            double error = a.sub(e).abs().max().getDouble();
            if (!(error <= tolerance * Math.max(scale, 1e-30))) {
                return String.format(
                        Locale.ROOT, "%s off by %.3g of its largest value %.3g", names[i], error / scale, scale);
            }
        }
        return null;
    }

    /**
     * libtorch's float64 convolution of {@code x} and {@code w} (and {@code b} where the shape has a
     * bias): the output, and in training the input and weight gradients for {@code gy}.
     */
    static NDList reference(ConvShape s, NDArray x, NDArray w, NDArray b, NDArray gy, NDManager m) {
        return GradMode.with(
                false,
                () -> Reference.SCRIPT.callForList(
                        "reference",
                        m,
                        x,
                        w,
                        b,
                        gy,
                        (long) s.stride(),
                        (long) s.padding(),
                        (long) s.dilation(),
                        (long) s.groups(),
                        s.bias(),
                        s.training()));
    }

    private static ConvShape resized(ConvShape s, long batch) {
        return new ConvShape(
                s.training(),
                s.precision(),
                batch,
                s.in(),
                s.out(),
                s.height(),
                s.width(),
                s.kernel(),
                s.stride(),
                s.padding(),
                s.dilation(),
                s.groups(),
                s.bias(),
                s.caller());
    }

    /**
     * One call of the route: in training the output and, after a backward pass of {@code in.gy},
     * the input and weight gradients; in inference the output.
     */
    private List<NDArray> run(ConvShape s, ConvRoute route, Inputs in) {
        if (!route.training()) {
            NDArray y = GradMode.with(
                    false,
                    () -> kernels.inference(
                            route, new PrepackedConvolution(), s, in.x(), in.w(), s.bias() ? in.b() : null));
            return List.of(y);
        }
        NDArray x = in.x().duplicate();
        NDArray w = in.w().duplicate();
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        NDArray y = GradMode.with(true, () -> {
            NDArray out = kernels.training(route, s, x, w, s.bias() ? in.b() : null);
            GradMode.backward(out, in.gy());
            return out;
        });
        return List.of(y, x.getGradient(), w.getGradient());
    }

    /** One inference call, with the layer's BatchNorm and ReLU where they follow. */
    private NDArray inference(ConvShape s, ConvRoute route, PrepackedConvolution packed, BatchNorm bn, Inputs in) {
        NDArray b = s.bias() ? in.b() : null;
        if (bn == null) {
            return kernels.inference(route, packed, s, in.x(), in.w(), b);
        }
        if (route == ConvRoute.PLAIN || route == ConvRoute.SLOW) {
            NDArray y = kernels.inference(route, packed, s, in.x(), in.w(), b);
            return Ops.relu(bn.forward(new ParameterStore(y.getManager(), false), new NDList(y), false)
                    .singletonOrThrow());
        }
        return packed.forward(s, route, in.w(), b, bn, true, in.x());
    }

    /**
     * The fastest call on the whole batch, after warm-up calls; fewer calls when the route is
     * hopeless. Where a layer's BatchNorm and ReLU follow, their cost is part of the call: the
     * prepacked routes fold them in, the others run them after.
     */
    private double time(ConvShape s, ConvRoute route, Inputs in, double bestMillis) {
        PrepackedConvolution packed = new PrepackedConvolution();
        BatchNorm bn = null;
        if (s.caller() == ConvShape.Caller.LAYER_BATCH_NORM) {
            bn = new BatchNorm((int) s.out());
            bn.initialize(
                    in.x().getManager(), DataType.FLOAT32, new Shape(s.batch(), s.out(), s.outHeight(), s.outWidth()));
        }
        BatchNorm then = bn;
        List<Double> times = new ArrayList<>();
        double total = 0;
        for (int run = -WARMUP_RUNS; run < MAX_RUNS; run++) {
            long start = System.nanoTime();
            try (NDManager step = in.x().getManager().newSubManager()) {
                if (route.training()) {
                    // what the call makes belongs to its input's manager: this step's, for now
                    in.x().tempAttach(step);
                    run(s, route, in);
                } else {
                    in.x().tempAttach(step);
                    GradMode.with(false, () -> inference(s, route, packed, then, in));
                }
            }
            double millis = (System.nanoTime() - start) / 1e6;
            if (run < 0) {
                // the first calls pack weights, generate kernels and warm caches
                continue;
            }
            times.add(millis);
            total += millis;
            if (millis > HOPELESS * bestMillis || (times.size() >= MIN_RUNS && total >= MIN_MILLIS)) {
                break;
            }
        }
        return times.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }
}
