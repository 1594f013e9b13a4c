package org.attnfer.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.attnfer.composer.Composer;
import org.attnfer.composer.Composition;
import org.attnfer.composer.ModelSpec;
import org.attnfer.nn.WeightInit;
import org.attnfer.nn.io.SafeTensors;
import org.attnfer.nn.io.Tensor;
import org.attnfer.nn.io.TensorFiles;
import org.attnfer.nn.io.WeightFile;
import org.attnfer.testkit.Checkpoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PyTorch's own checkpoint files, read and run: the same logits as PyTorch. */
class CheckpointImportTest {

    @TempDir
    static Path dir;

    static Path fixtures;
    static Map<String, Tensor> reference;

    @BeforeAll
    static void unpack() throws IOException {
        fixtures = Checkpoints.unpack(dir.resolve("ckpt"));
        reference = SafeTensors.read(fixtures.resolve("resnet18-narrow.safetensors"));
    }

    @Test
    void aTorchSaveCheckpointHoldsTheSameTensorsAsTheSafetensorsOfTheSameModel() throws IOException {
        WeightFile w = WeightFile.read(fixtures.resolve("resnet18-narrow.pth"));
        assertThat(w.notes()).isEmpty();
        assertThat(w.tensors().keySet()).containsExactlyElementsOf(reference.keySet());
        assertThat(w.tensors().get("conv1.weight").dtype()).isEqualTo("F32");
        assertThat(w.tensors().get("bn1.num_batches_tracked").dtype()).isEqualTo("I64");
        assertThat(w.tensors().get("bn1.num_batches_tracked").tensor().data()).containsExactly(7f);
        reference.forEach((k, v) -> assertThat(w.values().get(k)).as(k).isEqualTo(v));
    }

    @Test
    void halfPrecisionIsReadAsItsFloat32Values() throws IOException {
        WeightFile half = WeightFile.read(fixtures.resolve("resnet18-narrow-fp16.pth"));
        assertThat(half.tensors().get("conv1.weight").dtype()).isEqualTo("F16");
        float[] a = half.values().get("layer1.0.conv1.weight").data();
        float[] b = reference.get("layer1.0.conv1.weight").data();
        for (int i = 0; i < a.length; i++) {
            // float16 keeps 11 significant bits
            assertThat(a[i]).isCloseTo(b[i], org.assertj.core.data.Offset.offset(Math.abs(b[i]) / 1024 + 1e-7f));
        }
        WeightFile bf16 = WeightFile.read(fixtures.resolve("resnet18-narrow-bf16.safetensors"));
        assertThat(bf16.tensors().get("conv1.weight").dtype()).isEqualTo("BF16");
    }

    @Test
    void aWrappedCheckpointIsUnwrappedAndItsPrefixStrippedSayingSo() throws IOException {
        WeightFile w = WeightFile.read(fixtures.resolve("resnet18-narrow-wrapped.pth"));
        assertThat(w.notes())
                .containsExactly(
                        "took the checkpoint's 'state_dict' entry", "stripped the prefix 'module.' from every name");
        assertThat(w.values()).containsOnlyKeys(reference.keySet());
        assertThat(w.values().get("fc.weight")).isEqualTo(reference.get("fc.weight"));
    }

    @Test
    void aPickleThatNamesAnyOtherGlobalIsRefusedWithoutRunningIt() {
        Path evil = fixtures.resolve("evil.pth");
        assertThatThrownBy(() -> WeightFile.read(evil))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("evil.pth")
                .hasMessageContaining("posix.system")
                .hasMessageContaining("refused without running anything");
    }

    @Test
    void aFileThatIsNoCheckpointIsNamed() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.pth"), "not a zip");
        assertThatThrownBy(() -> WeightFile.read(text))
                .hasMessageContaining("notes.pth")
                .hasMessageContaining("zip");
        Path legacy = Files.write(dir.resolve("legacy.pt"), new byte[] {(byte) 0x80, 2, 'K', 1});
        assertThatThrownBy(() -> WeightFile.read(legacy)).hasMessageContaining("legacy.pt");
    }

    private static float[] forward(Path weights, String input) throws IOException {
        Path out = dir.resolve("y-" + weights.getFileName() + ".npy");
        List<String> args = new ArrayList<>(List.of("forward"));
        args.addAll(Checkpoints.MODEL);
        args.addAll(List.of(
                "--weights",
                weights.toString(),
                "--input",
                fixtures.resolve(input).toString(),
                "--output",
                out.toString()));
        CliTest.Result r = CliTest.fer(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return TensorFiles.readNpy(out).data();
    }

    private static void assertClose(float[] actual, float[] expected, double relative) {
        assertThat(actual).hasSameSizeAs(expected);
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i])
                    .as("logit %d", i)
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(relative * scale));
        }
    }

    @Test
    void everyFixtureGivesPyTorchsLogits() throws IOException {
        float[] logits = TensorFiles.readNpy(fixtures.resolve("logits.npy")).data();
        for (String f : List.of(
                "resnet18-narrow.pth",
                "resnet18-narrow-wrapped.pth",
                "resnet18-narrow.safetensors",
                "resnet18-narrow.npz")) {
            assertClose(forward(fixtures.resolve(f), "input.npy"), logits, 1e-4);
        }
        assertClose(
                forward(fixtures.resolve("resnet18-narrow-fp16.pth"), "input.npy"),
                TensorFiles.readNpy(fixtures.resolve("logits-fp16.npy")).data(),
                1e-4);
        assertClose(
                forward(fixtures.resolve("resnet18-narrow-bf16.safetensors"), "input.npy"),
                TensorFiles.readNpy(fixtures.resolve("logits-bf16.npy")).data(),
                1e-4);
    }

    @Test
    void showAndConvertAPyTorchCheckpoint() throws IOException {
        CliTest.Result show = CliTest.fer(
                "weights",
                "show",
                fixtures.resolve("resnet18-narrow-wrapped.pth").toString());
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out())
                .contains(
                        "(took the checkpoint's 'state_dict' entry)", "(stripped the prefix 'module.' from every name)")
                .containsPattern("conv1.weight +F32 +\\[4, 3, 7, 7\\] +588")
                .contains("bn1.num_batches_tracked");
        Path converted = dir.resolve("converted.safetensors");
        CliTest.Result convert = CliTest.fer(
                "weights",
                "convert",
                fixtures.resolve("resnet18-narrow-fp16.pth").toString(),
                "--out",
                converted.toString());
        assertThat(convert.code()).as(convert.err()).isZero();
        Map<String, Tensor> back = SafeTensors.read(converted);
        assertThat(back.get("fc.bias"))
                .isEqualTo(WeightFile.read(fixtures.resolve("resnet18-narrow-fp16.pth"))
                        .values()
                        .get("fc.bias"));
        CliTest.Result evil =
                CliTest.fer("weights", "show", fixtures.resolve("evil.pth").toString());
        assertThat(evil.code()).isEqualTo(1);
        assertThat(evil.err()).contains("posix.system", "refused");
    }

    @Test
    void aGrayNetworkFromAColourCheckpointEqualsTheColourNetworkOnTheGrayImageRepeated() throws IOException {
        Composer composer = CliTest.INJECTOR.getInstance(Composer.class);
        Composition c = composer.compose(new ModelSpec("resnet18", null, List.of(), 0.0625), 1, 10);
        Tensor gray = TensorFiles.readNpy(fixtures.resolve("gray-input.npy"));
        try (NDManager manager = NDManager.newBaseManager()) {
            c.block().initialize(manager, DataType.FLOAT32, new Shape(gray.shape()));
            WeightInit.Report report = WeightInit.apply(
                    c.block(),
                    WeightFile.read(fixtures.resolve("resnet18-narrow.pth")).values(),
                    "",
                    List.of());
            assertThat(report.adapted()).containsExactly("conv1.weight (3 → 1 channels)");
            assertThat(report.fresh()).isEmpty();
            float[] y = c.block()
                    .forward(new ParameterStore(manager, false), new NDList(gray.toArray(manager)), false)
                    .singletonOrThrow()
                    .toFloatArray();
            assertClose(
                    y, TensorFiles.readNpy(fixtures.resolve("gray-logits.npy")).data(), 1e-4);
        }
    }
}
