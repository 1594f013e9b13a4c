package org.attnfer.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ComputeSettingsTest {

    private static final String ENTRY = """
            processor\t: %d
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model\t\t: 17
            model name\t: AMD EPYC
            flags\t\t: fpu sse avx2 %s avx512_bf16

            """;

    @Test
    void theProcessorIsNamedByItsFirstEntryWithFamilyModelAvx512AndBfloat16() {
        String two =
                ENTRY.formatted(0, "avx512f") + ENTRY.formatted(1, "avx512f").replace("EPYC", "other");
        assertThat(ComputeSettings.cpu(two)).isEqualTo("AMD EPYC (AuthenticAMD family 25 model 17, AVX-512, bfloat16)");
        // avx512_bf16 alone is not the foundation instruction set
        assertThat(ComputeSettings.cpu(ENTRY.formatted(0, "avx512fx")))
                .isEqualTo("AMD EPYC (AuthenticAMD family 25 model 17, bfloat16)");
        assertThat(ComputeSettings.cpu(ENTRY.formatted(0, "avx512f").replace(" avx512_bf16", "")))
                .isEqualTo("AMD EPYC (AuthenticAMD family 25 model 17, AVX-512)");
        assertThat(ComputeSettings.cpu("processor\t: 0\n")).isEqualTo("unknown");
    }
}
