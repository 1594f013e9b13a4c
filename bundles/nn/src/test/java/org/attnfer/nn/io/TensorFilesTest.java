package org.attnfer.nn.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFilesTest {

    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("conv1.weight", new Tensor(new long[] {2, 1, 2, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, -8.5f}));
        m.put("fc.bias", new Tensor(new long[] {3}, new float[] {0.1f, -0.2f, 1e-30f}));
        m.put("scalar", new Tensor(new long[] {}, new float[] {42}));
        return m;
    }

    @Test
    void npyHeaderIsNumpyCompatibleAndAligned() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, new Tensor(new long[] {3}, new float[] {1, 2, 3}));
        byte[] bytes = out.toByteArray();
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertThat(header)
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }")
                .endsWith("\n");
        assertThat((10 + headerLength) % 64).isZero();
        assertThat(bytes.length).isEqualTo(10 + headerLength + 12);
        assertThat(Npy.read(new ByteArrayInputStream(bytes)))
                .isEqualTo(new Tensor(new long[] {3}, new float[] {1, 2, 3}));
    }

    @Test
    void npzAndSafetensorsRoundTripByName() throws IOException {
        for (String ext : new String[] {"npz", "safetensors"}) {
            Path f = dir.resolve("w." + ext);
            TensorFiles.write(f, sample());
            Map<String, Tensor> back = TensorFiles.read(f);
            assertThat(back).as(ext).containsExactlyEntriesOf(sample());
        }
    }

    @Test
    void safetensorsHeaderFollowsTheFormat() throws IOException {
        Path f = dir.resolve("w.safetensors");
        TensorFiles.write(f, sample());
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String json = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(json).contains("\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,2,2],\"data_offsets\":[0,32]}");
        assertThat(bytes.length).isEqualTo(8 + n + 4 * (8 + 3 + 1));
    }

    @Test
    void unknownFormatAndMissingFileAreClearErrors() {
        assertThatThrownBy(() -> TensorFiles.read(dir.resolve("nothing.npz"))).hasMessageContaining("nothing.npz");
        assertThatThrownBy(() -> TensorFiles.write(dir.resolve("w.bin"), sample()))
                .hasMessageContaining("unknown tensor format");
    }

    @Test
    void tensorRejectsInconsistentShape() {
        assertThatThrownBy(() -> new Tensor(new long[] {2, 2}, new float[3])).hasMessageContaining("holds 4 values");
    }

    @Test
    void halfPrecisionDecodes() {
        assertThat(SafeTensors.halfToFloat((short) 0x3c00)).isEqualTo(1f);
        assertThat(SafeTensors.halfToFloat((short) 0xc000)).isEqualTo(-2f);
        assertThat(SafeTensors.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(SafeTensors.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(SafeTensors.halfToFloat((short) 0x3555)).isEqualTo(0.33325195f);
    }
}
