package org.attnfer.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How this JVM computes, as {@code bin/fer} set it up: the activation layout while training, the
 * convolution path while training, whether MKL's vendor check is answered by the distribution's
 * shim, the thread count, and on which processor. Benchmarks print these and run manifests record
 * them, because they change speed and, through the order of floating-point sums, the last digits
 * of results.
 */
public final class ComputeSettings {

    /** The file name of the shim that answers MKL's vendor check (built into {@code lib/native}). */
    public static final String MKL_VENDOR_SHIM = "libattnfer-mkl-vendor.so";

    private ComputeSettings() {}

    /** {@code nhwc} or {@code nchw} (see {@link Ops#channelsLast}). */
    public static String layout() {
        return System.getProperty(Ops.LAYOUT_PROPERTY, "nhwc");
    }

    /** Sets the training layout for this JVM; {@code nhwc} or {@code nchw}. */
    public static void setLayout(String layout) {
        set(Ops.LAYOUT_PROPERTY, "the layout", layout, "nhwc", "nchw");
    }

    /** {@code gemm} or {@code onednn} (see {@link Conv2d}). */
    public static String conv() {
        return System.getProperty(GemmConvolution.PROPERTY, "onednn");
    }

    /** Sets the convolution path for this JVM; {@code gemm} or {@code onednn}. */
    public static void setConv(String path) {
        set(GemmConvolution.PROPERTY, "the convolution path", path, "gemm", "onednn");
    }

    private static void set(String property, String what, String value, String one, String other) {
        if (!value.equals(one) && !value.equals(other)) {
            throw new IllegalArgumentException(what + " must be " + one + " or " + other + ", not '" + value + "'");
        }
        System.setProperty(property, value);
    }

    /** The convolution path of plain inference: {@code prepacked} or {@code onednn}. */
    public static String inferenceConv() {
        return PrepackedConvolution.enabled() ? "prepacked" : "onednn";
    }

    /** Whether the shim is mapped into this process, read from the kernel's list of its mappings. */
    public static boolean mklVendorShim() {
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains(MKL_VENDOR_SHIM);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The processor this JVM runs on, read from {@code /proc/cpuinfo} ({@code unknown} where that
     * cannot be read): its name, with vendor, family and model, which tell generations apart where
     * names such as "AMD EPYC" do not, whether it has AVX-512, which MKL's vendor shim needs, and
     * whether it has bfloat16 dot products, which {@link Precision#BFLOAT16} needs to be fast.
     */
    public static String cpu() {
        return cpu(cpuinfo());
    }

    /** Whether the processor multiplies bfloat16 in hardware (AVX512_BF16 or AMX). */
    public static boolean bfloat16() {
        return bfloat16(firstEntry(cpuinfo()));
    }

    /** {@link #cpu()} of a {@code /proc/cpuinfo} text: its first processor's entry. */
    static String cpu(String cpuinfo) {
        Map<String, String> fields = firstEntry(cpuinfo);
        if (!fields.containsKey("model name")) {
            return "unknown";
        }
        return fields.get("model name") + " (" + fields.getOrDefault("vendor_id", "?") + " family "
                + fields.getOrDefault("cpu family", "?")
                + " model " + fields.getOrDefault("model", "?") + (flag(fields, "avx512f") ? ", AVX-512" : "")
                + (bfloat16(fields) ? ", bfloat16" : "") + ")";
    }

    private static String cpuinfo() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo"));
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

    /** All of them, for a report. */
    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpu());
        m.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        m.put("layout", layout());
        m.put("conv", conv());
        m.put("mkl_vendor_shim", mklVendorShim());
        return m;
    }
}
