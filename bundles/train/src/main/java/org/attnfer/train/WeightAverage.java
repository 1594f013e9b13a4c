package org.attnfer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attnfer.nn.StateDict;
import org.attnfer.nn.io.Tensor;
import org.attnfer.nn.pytorch.TorchScript;

/**
 * An exponential moving average of a model's parameters and buffers (Polyak and Juditsky, SIAM J.
 * Control Optim. 1992; in the form of timm's model EMA), updated after every optimiser step:
 * {@code avg ← avg + (1 − d)(w − avg)} with {@code d = min(decay, (1 + t)/(10 + t))} at step
 * {@code t}, so that the first steps' weights fade quickly. The trainer validates and saves the
 * averaged weights and ends with them; training itself goes on from the raw ones. The average is
 * kept in checkpoints, so a resumed run averages exactly as an uninterrupted one.
 */
final class WeightAverage {

    private static final class Kernels {
        static final TorchScript SCRIPT = TorchScript.compile("WeightAverage", """
                def update(self, average: List[Tensor], current: List[Tensor], weight: float) -> NoneType:
                  torch._foreach_lerp_(average, current, weight)
                  return None
                def swap(self, a: List[Tensor], b: List[Tensor]) -> NoneType:
                  for i in range(len(a)):
                    kept = a[i].clone()
                    a[i].copy_(b[i])
                    b[i].copy_(kept)
                  return None
                """);
    }

    private final double decay;
    private final Map<String, Parameter> params;
    private final Map<String, NDArray> average = new LinkedHashMap<>();
    private long steps;

    /**
     * @param decay the largest decay, below 1
     * @param params the model's parameters and buffers by name
     */
    WeightAverage(double decay, Map<String, Parameter> params) {
        this.decay = decay;
        this.params = params;
    }

    /** Folds the current weights into the average (the first call copies them). */
    void update() {
        if (average.isEmpty()) {
            params.forEach((name, p) -> average.put(name, p.getArray().duplicate()));
        }
        steps++;
        double d = Math.min(decay, (1.0 + steps) / (10.0 + steps));
        Kernels.SCRIPT.call("update", null, averages(), currents(), 1 - d);
    }

    /** Exchanges the model's weights and the average: called twice, everything is as before. */
    void swap() {
        if (average.isEmpty()) {
            return;
        }
        Kernels.SCRIPT.call("swap", null, currents(), averages());
        StateDict.changed();
    }

    private List<NDArray> averages() {
        return new ArrayList<>(average.values());
    }

    private List<NDArray> currents() {
        List<NDArray> out = new ArrayList<>(average.size());
        average.keySet().forEach(name -> out.add(params.get(name).getArray()));
        return out;
    }

    /** How many updates the average holds. */
    long steps() {
        return steps;
    }

    /** The average for a checkpoint. */
    Map<String, Tensor> export() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        average.forEach((k, v) -> out.put(k, Tensor.of(v)));
        return out;
    }

    /** Restores the average of a checkpoint (empty: none yet) after {@code steps} updates. */
    void restore(Map<String, Tensor> saved, long savedSteps, NDManager manager) {
        average.values().forEach(NDArray::close);
        average.clear();
        saved.forEach((k, t) -> average.put(k, t.toArray(manager)));
        steps = saved.isEmpty() ? 0 : savedSteps;
    }
}
