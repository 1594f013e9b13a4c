package org.attnfer.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.function.Supplier;
import org.attnfer.nn.LoadReport;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.Tensor;

/** Checks a block against a golden: parameter count, weights by name, every case within tolerance. */
public final class Parity {

    private Parity() {}

    /**
     * Checks fresh blocks against the project's golden of this name, then against the
     * specification's golden of the same name where {@code ../shared/goldens} is present (saying so
     * where it is not). Both must pass.
     *
     * @param name the golden's name ({@code ca})
     * @param block makes a fresh, uninitialised block of the golden's configuration
     */
    public static void check(String name, Supplier<Block> block) {
        check(Goldens.load(name), block.get());
        Goldens.loadShared(name)
                .ifPresentOrElse(
                        shared -> check(shared, block.get()),
                        () -> System.err.println("note: ../shared/goldens/" + name
                                + " not found; checked against the project's golden only"));
    }

    /**
     * Loads the golden's weights into the block strictly by name and compares every case.
     *
     * @param golden the reference
     * @param block a fresh, uninitialised block of the golden's configuration
     */
    public static void check(Goldens.Golden golden, Block block) {
        assertThat(StateDict.trainableCount(block))
                .as("trainable parameters of %s", golden)
                .isEqualTo(golden.paramCount());
        try (NDManager manager = NDManager.newBaseManager()) {
            Goldens.Case first = golden.cases().get(0);
            block.initialize(manager, DataType.FLOAT32, new Shape(first.input().shape()));
            LoadReport report = StateDict.load(block, golden.weights(), true);
            assertThat(report.loaded()).hasSize(golden.weights().size());
            for (Goldens.Case c : golden.cases()) {
                try (NDManager scratch = manager.newSubManager()) {
                    NDArray x = c.input().toArray(scratch);
                    NDList y = block.forward(new ParameterStore(scratch, false), new NDList(x), false);
                    Tensor out = Tensor.of(y.singletonOrThrow());
                    double err = out.maxAbsDiff(c.output());
                    assertThat(err)
                            .as("%s case %s: max |ours − reference| (atol %.3g)", golden, c.name(), c.atol())
                            .isLessThanOrEqualTo(c.atol());
                }
            }
        }
    }
}
