package org.attnfer.nn.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript module compiled at run time from the source of its methods, to reach PyTorch
 * operators that DJL's {@code NDArray} API does not expose, such as the fused optimiser kernels.
 * The source goes into an in-memory archive laid out as {@code torch.jit.save} writes one (the
 * pickled module object, its code, the format version) and libtorch compiles it when DJL loads
 * it: no Python, no file on disk. This is the one place in the framework that depends on DJL's
 * PyTorch engine rather than its engine-neutral API.
 *
 * <p>Methods take {@code self} first, then arguments; {@link #call} converts {@code NDArray}s,
 * lists of them, {@code double}/{@code float}, {@code long}/{@code int}, {@code boolean}, {@code
 * long[]} (as {@code List[int]}) and {@link Value}s that earlier calls returned.
 */
public final class TorchScript implements AutoCloseable {

    private final NDManager manager;
    private final PtSymbolBlock module;

    private TorchScript(NDManager manager, PtSymbolBlock module) {
        this.manager = manager;
        this.module = module;
    }

    /**
     * Compiles a module.
     *
     * @param className the TorchScript class name (an identifier)
     * @param methods the methods' source, each starting with {@code def}, indented by two spaces
     *     in the class body that this adds around them
     * @throws IllegalArgumentException naming the class when libtorch rejects the source
     */
    public static TorchScript compile(String className, String methods) {
        String code = "class " + className + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + methods.lines().map(l -> "  " + l).reduce("", (a, l) -> a + l + "\n");
        NDManager manager = NDManager.newBaseManager();
        try {
            PtSymbolBlock module = JniUtils.loadModule(
                    (PtNDManager) manager, new ByteArrayInputStream(archive(className, code)), false, false);
            return new TorchScript(manager, module);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw new IllegalArgumentException("TorchScript " + className + " does not compile: " + e.getMessage(), e);
        }
    }

    /**
     * A value a method returned that is not a tensor, such as a prepacked weight, kept in native
     * memory to pass to later calls. Closing frees it; so does the garbage collector once the
     * value is unreachable.
     */
    public static final class Value implements AutoCloseable {
        private final IValue value;
        private final Cleaner.Cleanable cleanable;

        private Value(IValue value) {
            this.value = value;
            this.cleanable = CLEANER.register(this, value::close);
        }

        @Override
        public void close() {
            cleanable.clean();
        }
    }

    private static final Cleaner CLEANER = Cleaner.create();

    /**
     * Calls a method.
     *
     * @param results the manager that a returned tensor is attached to
     * @return the returned tensor, or {@code null} when the method returns nothing
     */
    public NDArray call(String method, NDManager results, Object... args) {
        IValue out = invoke(method, args);
        try (out) {
            return out.isTensor() ? out.toTensor((PtNDManager) results) : null;
        }
    }

    /**
     * Calls a method that returns a list of tensors.
     *
     * @param results the manager that the returned tensors are attached to
     */
    public NDList callForList(String method, NDManager results, Object... args) {
        IValue out = invoke(method, args);
        try (out) {
            return out.toNDList((PtNDManager) results);
        }
    }

    /**
     * Runs the module's {@code forward} on tensors with gradients recorded, so that a backward
     * pass reaches them ({@link #call} runs in inference mode). The result belongs to the first
     * input's manager.
     */
    public NDArray forwardRecording(NDArray... inputs) {
        return IValueUtils.forward(module, new NDList(inputs), true).singletonOrThrow();
    }

    /** Calls a method that returns something other than a tensor, kept for later calls. */
    public Value callForValue(String method, Object... args) {
        return new Value(invoke(method, args));
    }

    private IValue invoke(String method, Object... args) {
        IValue[] values = new IValue[args.length];
        List<IValue> made = new ArrayList<>(args.length);
        try {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Value v) {
                    values[i] = v.value;
                } else {
                    values[i] = value(args[i]);
                    made.add(values[i]);
                }
            }
            return IValueUtils.runMethod(module, method, values);
        } finally {
            made.forEach(IValue::close);
        }
    }

    private static IValue value(Object a) {
        if (a instanceof NDArray x) {
            return IValue.from((PtNDArray) x);
        } else if (a instanceof List<?> list) {
            return IValue.listFrom(list.stream().map(PtNDArray.class::cast).toArray(PtNDArray[]::new));
        } else if (a instanceof Double || a instanceof Float) {
            return IValue.from(((Number) a).doubleValue());
        } else if (a instanceof Long || a instanceof Integer) {
            return IValue.from(((Number) a).longValue());
        } else if (a instanceof Boolean b) {
            return IValue.from(b);
        } else if (a instanceof long[] longs) {
            return IValue.listFrom(longs);
        }
        throw new IllegalArgumentException(
                "no TorchScript value for " + (a == null ? "null" : a.getClass().getName()));
    }

    @Override
    public void close() {
        manager.close();
    }

    /** The archive {@code torch.jit.save} would write for a module with no parameters. */
    static byte[] archive(String className, String code) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "m/data.pkl", moduleObject(className));
            entry(zip, "m/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            entry(zip, "m/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // an empty tuple
            entry(zip, "m/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] content) {
        try {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pickle protocol 2 of {@code __torch__.<className>} with the one attribute {@code training = False}. */
    private static byte[] moduleObject(String className) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80); // PROTO 2
        p.write(2);
        p.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        p.write(')'); // EMPTY_TUPLE
        p.write(0x81); // NEWOBJ
        p.write('}'); // EMPTY_DICT
        p.write('('); // MARK
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        p.write('X'); // BINUNICODE, 4-byte little-endian length
        p.writeBytes(new byte[] {(byte) key.length, 0, 0, 0});
        p.writeBytes(key);
        p.write(0x89); // NEWFALSE
        p.write('u'); // SETITEMS
        p.write('b'); // BUILD
        p.write('.'); // STOP
        return p.toByteArray();
    }
}
