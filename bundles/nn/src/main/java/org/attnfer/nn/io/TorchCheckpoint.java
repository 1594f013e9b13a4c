package org.attnfer.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * A checkpoint as {@code torch.save} writes it since PyTorch 1.6: a zip archive whose {@code
 * data.pkl} pickles the saved object and whose {@code data/N} entries hold the raw tensor
 * storages. A checkpoint is untrusted input, and a pickle can name any Python callable: the
 * unpickler here knows only the globals that rebuild tensors, storages and ordered dicts, and
 * refuses every other one by name before anything is built.
 *
 * <p>The saved object comes back as plain Java values: maps, lists, numbers, strings and {@link
 * StoredTensor}s (float32 values, converted from the stored float16, bfloat16, float64 or integer
 * type, which they name).
 */
public final class TorchCheckpoint {

    /** Storage classes and the size and name of their element type. */
    private enum StorageType {
        FLOAT("FloatStorage", 4, "F32"),
        DOUBLE("DoubleStorage", 8, "F64"),
        HALF("HalfStorage", 2, "F16"),
        BFLOAT16("BFloat16Storage", 2, "BF16"),
        LONG("LongStorage", 8, "I64"),
        INT("IntStorage", 4, "I32"),
        SHORT("ShortStorage", 2, "I16"),
        CHAR("CharStorage", 1, "I8"),
        BYTE("ByteStorage", 1, "U8"),
        BOOL("BoolStorage", 1, "BOOL");

        final String className;
        final int width;
        final String dtype;

        StorageType(String className, int width, String dtype) {
            this.className = className;
            this.width = width;
            this.dtype = dtype;
        }
    }

    private TorchCheckpoint() {}

    /**
     * Reads the saved object.
     *
     * @throws IOException naming the file: not a checkpoint of the zip format, a global that is not
     *     allowed, a storage that is missing or too short
     */
    public static Object read(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pickle = zip.stream()
                    .filter(e ->
                            e.getName().endsWith("/data.pkl") || e.getName().equals("data.pkl"))
                    .findFirst()
                    .orElseThrow(
                            () -> new IOException(file + ": not a PyTorch checkpoint (no data.pkl in the archive)"));
            String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
            ByteOrder order = byteOrder(zip, prefix);
            try (InputStream in = zip.getInputStream(pickle)) {
                return new Restricted(zip, prefix, order, file).load(in);
            } catch (PickleException | ClassCastException | IndexOutOfBoundsException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        } catch (ZipException e) {
            throw new IOException(
                    file + ": not a PyTorch checkpoint of the zip format (PyTorch ≥ 1.6 writes one; "
                            + "an older file can be re-saved with torch.save)",
                    e);
        }
    }

    private static ByteOrder byteOrder(ZipFile zip, String prefix) throws IOException {
        ZipEntry e = zip.getEntry(prefix + "byteorder");
        if (e == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        try (InputStream in = zip.getInputStream(e)) {
            String s = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            return s.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }
    }

    /** A storage named by the pickle: its type and the archive entry that holds its bytes. */
    private record Storage(StorageType type, String key, long elements) {}

    /** The marker a storage class's global leaves on the stack. */
    private record StorageClass(StorageType type) {}

    /** An unpickler that builds only what checkpoints of tensors need. */
    private static final class Restricted extends Unpickler {
        private final ZipFile zip;
        private final String prefix;
        private final ByteOrder order;
        private final Path file;
        private final Map<String, byte[]> storages = new HashMap<>();

        Restricted(ZipFile zip, String prefix, ByteOrder order, Path file) {
            this.zip = zip;
            this.prefix = prefix;
            this.order = order;
            this.file = file;
        }

        @Override
        protected Object dispatch(short key) throws IOException {
            switch (key) {
                case Opcodes.GLOBAL -> {
                    String module = PickleUtils.readline(input);
                    String name = PickleUtils.readline(input);
                    stack.add(global(module, name));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.STACK_GLOBAL -> {
                    String name = (String) stack.pop();
                    String module = (String) stack.pop();
                    stack.add(global(module, name));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.SETITEMS -> {
                    // in the pickle's order: a state dict lists its tensors as the model defines them
                    List<Object> items = stack.pop_all_since_marker();
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        dict.put(items.get(i), items.get(i + 1));
                    }
                    return NO_RETURN_VALUE;
                }
                case Opcodes.INST, Opcodes.OBJ, Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4, Opcodes.NEWOBJ_EX ->
                    throw new PickleException("the pickle builds objects in a way checkpoints of tensors do not"
                            + " (opcode " + key + "); refused");
                default -> {
                    return super.dispatch(key);
                }
            }
        }

        private Object global(String module, String name) {
            String qualified = module + "." + name;
            switch (qualified) {
                case "collections.OrderedDict" -> {
                    return (IObjectConstructor) args -> new OrderedDict();
                }
                case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                    return (IObjectConstructor) this::rebuildTensor;
                }
                case "torch._utils._rebuild_parameter" -> {
                    return (IObjectConstructor) args -> args[0];
                }
                default -> {
                    if (module.equals("torch")) {
                        for (StorageType t : StorageType.values()) {
                            if (t.className.equals(name)) {
                                return new StorageClass(t);
                            }
                        }
                    }
                    throw new PickleException("the checkpoint names " + qualified
                            + ", which is not part of a checkpoint of tensors; refused without running anything");
                }
            }
        }

        @Override
        protected Object persistentLoad(Object pid) {
            Object[] id = (Object[]) pid;
            if (id.length < 5 || !"storage".equals(id[0]) || !(id[1] instanceof StorageClass type)) {
                throw new PickleException("unknown persistent id in the checkpoint");
            }
            return new Storage(type.type(), String.valueOf(id[2]), ((Number) id[4]).longValue());
        }

        private Object rebuildTensor(Object[] args) {
            Storage storage = (Storage) args[0];
            long offset = ((Number) args[1]).longValue();
            Object[] size = (Object[]) args[2];
            Object[] stride = (Object[]) args[3];
            long[] shape = new long[size.length];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = ((Number) size[i]).longValue();
                count = Math.multiplyExact(count, shape[i]);
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw new PickleException("a tensor of " + count + " elements is too large");
            }
            ByteBuffer bytes = ByteBuffer.wrap(bytes(storage)).order(order);
            int width = storage.type().width;
            float[] data = new float[(int) count];
            long[] index = new long[shape.length];
            for (int i = 0; i < data.length; i++) {
                long element = offset;
                for (int d = 0; d < shape.length; d++) {
                    element += index[d] * ((Number) stride[d]).longValue();
                }
                if (element < 0 || (element + 1) * width > bytes.capacity()) {
                    throw new PickleException("a tensor reaches past its storage " + storage.key());
                }
                data[i] = value(bytes, (int) (element * width), storage.type());
                for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                    index[d] = 0;
                }
            }
            return new StoredTensor(new Tensor(shape, data), storage.type().dtype);
        }

        private byte[] bytes(Storage s) {
            return storages.computeIfAbsent(s.key(), key -> {
                ZipEntry e = zip.getEntry(prefix + "data/" + key);
                if (e == null) {
                    throw new PickleException("storage data/" + key + " is missing from the archive");
                }
                try (InputStream in = zip.getInputStream(e)) {
                    byte[] b = in.readAllBytes();
                    if (b.length < s.elements() * s.type().width) {
                        throw new PickleException("storage data/" + key + " is cut short");
                    }
                    return b;
                } catch (IOException ex) {
                    throw new PickleException(file + ": storage data/" + key + ": " + ex.getMessage());
                }
            });
        }

        private static float value(ByteBuffer b, int at, StorageType type) {
            return switch (type) {
                case FLOAT -> b.getFloat(at);
                case DOUBLE -> (float) b.getDouble(at);
                case HALF -> SafeTensors.halfToFloat(b.getShort(at));
                case BFLOAT16 -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
                case LONG -> b.getLong(at);
                case INT -> b.getInt(at);
                case SHORT -> b.getShort(at);
                case CHAR -> b.get(at);
                case BYTE, BOOL -> b.get(at) & 0xff;
            };
        }
    }

    /**
     * Python's {@code OrderedDict}; its instance state ({@code _metadata}, which PyTorch adds to
     * state dicts) is dropped.
     */
    public static final class OrderedDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;

        /** Called by the unpickler's BUILD with the dict's instance state, which is not needed. */
        // the unpickler looks the method up by the exact class of the state it has, a HashMap
        @SuppressWarnings({"MethodName", "UnusedVariable", "NonApiType"})
        public void __setstate__(HashMap<?, ?> state) {
            // the state is the dict's attributes, not its items
        }
    }
}
