package org.attnfer.nn.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libtorch's operator profiler: a trace is written, and self time excludes nested operators. */
class OperatorProfileTest {

    @TempDir
    Path dir;

    @Test
    void recordsTheOperatorsThatRan() {
        Path trace = dir.resolve("trace.json");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new Shape(64, 64));
            OperatorProfile.record(trace, () -> products(a, 3));
        }
        assertThat(calls(trace)).containsEntry("aten::mm", 3L);
        assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
    }

    private static void products(NDArray a, int n) {
        for (int i = 0; i < n; i++) {
            a.matMul(a).toFloatArray();
        }
    }

    private static Map<String, Long> calls(Path trace) {
        return OperatorProfile.summarise(trace).stream()
                .collect(Collectors.toMap(OperatorProfile.Operator::name, OperatorProfile.Operator::calls));
    }

    @Test
    void ofSeveralStepsTheMedianOneIsKept() {
        Path trace = dir.resolve("median.json");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new Shape(64, 64));
            OperatorProfile.Steps steps = OperatorProfile.medianStep(3, trace, () -> products(a, 2));
            assertThat(steps.stepMillis()).hasSize(3);
            assertThat(steps.operators())
                    .filteredOn(o -> o.name().equals("aten::mm"))
                    .extracting(OperatorProfile.Operator::calls)
                    .containsExactly(2L);
            assertThat(steps.operators().stream()
                            .mapToDouble(OperatorProfile.Operator::selfMillis)
                            .sum())
                    .isCloseTo(steps.stepMillis().get(steps.kept()), within(1e-6));
        }
        // the file holds the kept step alone: two products, not six
        assertThat(calls(trace)).containsEntry("aten::mm", 2L);
        assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void theMedianStepIsTheMiddleOneWhateverTheOrder() {
        // a stalled step (900) is never the one kept
        assertThat(OperatorProfile.medianIndex(new double[] {510, 900, 500})).isEqualTo(0);
        assertThat(OperatorProfile.medianIndex(new double[] {900, 500, 510})).isEqualTo(2);
        assertThat(OperatorProfile.medianIndex(new double[] {7})).isEqualTo(0);
        assertThat(OperatorProfile.medianIndex(new double[] {3, 1, 2, 4})).isEqualTo(2);
    }

    @Test
    void aMissingFolderIsNamedBeforeAnythingRuns() {
        Path trace = dir.resolve("missing").resolve("trace.json");
        boolean[] ran = {false};
        assertThatThrownBy(() -> OperatorProfile.record(trace, () -> ran[0] = true))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(trace.getParent().toString())
                .hasMessageContaining("no such folder to write trace.json into");
        assertThat(ran[0]).isFalse();
    }

    @Test
    void selfTimeIsTheSpanLessTheSpansNestedInIt() throws Exception {
        // one thread: outer 0–100 µs holds a 0–30 and a 40–60 span, the first holding 10–20; another
        // thread's span overlapping in time does not nest
        Path trace = dir.resolve("nested.json");
        Files.writeString(trace, """
                {"traceEvents": [
                  {"name": "outer", "ph": "X", "ts": 0, "dur": 100, "tid": 1},
                  {"name": "inner", "ph": "X", "ts": 0, "dur": 30, "tid": 1},
                  {"name": "leaf", "ph": "X", "ts": 10, "dur": 10, "tid": 1},
                  {"name": "inner", "ph": "X", "ts": 40, "dur": 20, "tid": 1},
                  {"name": "outer", "ph": "X", "ts": 5, "dur": 50, "tid": 2},
                  {"name": "marker", "ph": "i", "ts": 1, "tid": 1}
                ]}
                """);
        List<OperatorProfile.Operator> ops = OperatorProfile.summarise(trace);
        assertThat(ops).extracting(OperatorProfile.Operator::name).containsExactly("outer", "inner", "leaf");
        assertThat(ops.get(0).selfMillis()).isCloseTo((100 - 30 - 20 + 50) / 1000.0, within(1e-9));
        assertThat(ops.get(0).calls()).isEqualTo(2);
        assertThat(ops.get(1).selfMillis()).isCloseTo((30 - 10 + 20) / 1000.0, within(1e-9));
        assertThat(ops.get(2).selfMillis()).isCloseTo(10 / 1000.0, within(1e-9));
    }

    @Test
    void anUnreadableTraceIsNamed() throws Exception {
        Path trace = Files.writeString(dir.resolve("broken.json"), "{not json");
        assertThatThrownBy(() -> OperatorProfile.summarise(trace))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith(trace + ": not a readable profiler trace");
    }
}
