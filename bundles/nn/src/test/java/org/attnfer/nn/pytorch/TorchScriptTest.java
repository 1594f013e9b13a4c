package org.attnfer.nn.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Modules compiled from source at run time, called with DJL arrays. */
class TorchScriptTest {

    @Test
    void methodsRunOnDjlArraysAndReturnTensorsOrNothing() {
        String source = """
                def axpy(self, x: Tensor, y: Tensor, a: float) -> Tensor:
                  return torch.add(y, x, alpha=a)
                def shift_all(self, xs: List[Tensor], by: List[int], scale: float, twice: bool) -> NoneType:
                  torch._foreach_add_(xs, float(by[0]) * scale * (2.0 if twice else 1.0))
                  return None
                """;
        try (TorchScript script = TorchScript.compile("Probe", source);
                NDManager m = NDManager.newBaseManager()) {
            NDArray y = script.call("axpy", m, m.create(new float[] {1, 2}), m.create(new float[] {10, 20}), 0.5);
            assertThat(y.toFloatArray()).containsExactly(10.5f, 21f);
            NDArray a = m.create(new float[] {1, 2});
            NDArray b = m.create(new float[] {3});
            assertThat(script.call("shift_all", m, List.of(a, b), new long[] {3}, 0.5f, true))
                    .isNull();
            assertThat(a.toFloatArray()).containsExactly(4f, 5f);
            assertThat(b.toFloatArray()).containsExactly(6f);
        }
    }

    @Test
    void sourceThatDoesNotCompileIsNamed() {
        assertThatThrownBy(() -> TorchScript.compile("Broken", "def f(self) -> int:\n  return no_such_name\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("TorchScript Broken does not compile");
    }

    @Test
    void unsupportedArgumentsAreNamed() {
        try (TorchScript script = TorchScript.compile("Echo", "def f(self, x: Tensor) -> Tensor:\n  return x\n");
                NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> script.call("f", m, "text"))
                    .hasMessage("no TorchScript value for java.lang.String");
        }
    }
}
