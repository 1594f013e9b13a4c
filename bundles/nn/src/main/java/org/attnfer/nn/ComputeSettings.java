package org.attnfer.nn;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How this JVM computes, fixed when the process starts: the processor, the compute threads, the
 * activation layout while training, whether MKL's vendor check is answered by the distribution's
 * shim, and the convolution routes {@link Routes} chose. Benchmarks print these and run manifests
 * record them, because they change speed and, through the order of floating-point sums, the last
 * digits of results.
 */
public final class ComputeSettings {

    /** The file name of the shim that answers MKL's vendor check (built into {@code lib/native}). */
    public static final String MKL_VENDOR_SHIM = "libattnfer-mkl-vendor.so";

    /** The layout of activations while training. */
    public enum Layout {
        /** PyTorch's channels-last strides: oneDNN convolves them without reordering activations. */
        NHWC,
        /** The plain {@code [N,C,H,W]} strides. */
        NCHW;

        /** Its name in settings: {@code nhwc} or {@code nchw}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Map<String, String> CPU = firstEntry(read(Path.of("/proc/cpuinfo")));
    private static final Layout LAYOUT = layoutSetting();
    // changes whenever what a route decision means or how it is stored changes
    private static final String ROUTES_FORMAT = "routes 5";

    private ComputeSettings() {}

    private static Layout layoutSetting() {
        String value = System.getProperty("attnfer.layout", "nhwc");
        for (Layout l : Layout.values()) {
            if (l.id().equals(value)) {
                return l;
            }
        }
        throw new IllegalArgumentException("FER_LAYOUT must be nhwc or nchw, not '" + value + "'");
    }

    /** The training layout of this process ({@code attnfer.layout}, from {@code FER_LAYOUT}). */
    public static Layout layout() {
        return LAYOUT;
    }

    /** libtorch's compute threads, as {@code bin/fer} set them ({@code default} where it did not). */
    public static String threads() {
        return System.getProperty("ai.djl.pytorch.num_threads", "default");
    }

    /** Whether the shim is mapped into this process, read from the kernel's list of its mappings. */
    public static boolean mklVendorShim() {
        return read(Path.of("/proc/self/maps")).contains(MKL_VENDOR_SHIM);
    }

    /**
     * The processor this JVM runs on: its name, with vendor, family and model, which tell
     * generations apart where names such as "AMD EPYC" do not, whether it has AVX-512 and whether
     * it has bfloat16 dot products ({@code unknown} where {@code /proc/cpuinfo} cannot be read).
     */
    public static String cpu() {
        return cpu(CPU);
    }

    /** Whether the processor multiplies bfloat16 in hardware (AVX512_BF16 or AMX). */
    public static boolean bfloat16() {
        return bfloat16(CPU);
    }

    /** {@link #cpu()} of a {@code /proc/cpuinfo} text: its first processor's entry. */
    static String cpu(String cpuinfo) {
        return cpu(firstEntry(cpuinfo));
    }

    private static String cpu(Map<String, String> fields) {
        if (!fields.containsKey("model name")) {
            return "unknown";
        }
        return fields.get("model name") + " (" + fields.getOrDefault("vendor_id", "?") + " family "
                + fields.getOrDefault("cpu family", "?") + " model " + fields.getOrDefault("model", "?")
                + (flag(fields, "avx512f") ? ", AVX-512" : "") + (bfloat16(fields) ? ", bfloat16" : "") + ")";
    }

    /**
     * What the speed of a route depends on, as a short key for cache file names: the processor
     * (name, vendor, family, model, stepping, flags), the compute threads, the MKL shim
     * and the versions of DJL and its engine, and the version of the decisions' format. Two machines
     * with the same key measure alike.
     */
    public static String machineKey() {
        StringBuilder sb = new StringBuilder(ROUTES_FORMAT).append('\n');
        for (String field : List.of("model name", "vendor_id", "cpu family", "model", "stepping", "flags")) {
            sb.append(CPU.getOrDefault(field, "?")).append('\n');
        }
        // the compute threads, not the cores the JVM sees: a scheduler may show a process fewer cores
        // (-XX:ActiveProcessorCount) than there are, for the same arithmetic
        sb.append(threads()).append('\n');
        sb.append(mklVendorShim()).append('\n').append(Engine.getDjlVersion()).append('\n');
        sb.append(Engine.getInstance().getVersion()).append('\n');
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    private static Map<String, String> firstEntry(String cpuinfo) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : cpuinfo.lines().toList()) {
            if (line.isBlank() && !fields.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent(
                        line.substring(0, colon).strip(),
                        line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    private static boolean bfloat16(Map<String, String> fields) {
        return flag(fields, "avx512_bf16") || flag(fields, "amx_bf16");
    }

    private static boolean flag(Map<String, String> fields, String flag) {
        return (" " + fields.getOrDefault("flags", "") + " ").contains(" " + flag + " ");
    }

    /** All of them, for a report; the routes as counts per route and the cache they were kept in. */
    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpu());
        m.put("threads", threads());
        m.put("layout", layout().id());
        m.put("mkl_vendor_shim", mklVendorShim());
        m.put("routes", Routes.policy().summary());
        Path cache = Routes.policy().cacheFile();
        m.put("routes_cache", cache == null ? "none" : cache.toString());
        return m;
    }
}
