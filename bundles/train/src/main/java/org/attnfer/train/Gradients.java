package org.attnfer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attnfer.nn.TorchScript;

/**
 * The gradients of a loss as fresh arrays, through {@code torch.autograd.grad}: unlike a backward
 * pass into the parameters' {@code .grad} buffers (DJL's {@code GradientCollector.backward}), it
 * neither adds into a buffer nor needs the buffers zeroed after every step, PyTorch's {@code
 * zero_grad(set_to_none=True)}.
 */
final class Gradients {

    private Gradients() {}

    private static final class Script {
        static final TorchScript SCRIPT = TorchScript.compile("Gradients", """
                def of(self, loss: Tensor, params: List[Tensor]) -> List[Tensor]:
                  grads = torch.autograd.grad([loss], params, allow_unused=True)
                  out: List[Tensor] = []
                  for i in range(len(params)):
                    g = grads[i]
                    if g is None:
                      out.append(torch.zeros_like(params[i]))
                    else:
                      out.append(g)
                  return out
                """);
    }

    /**
     * The gradient of {@code loss} for every parameter that requires one, by name; a parameter the
     * loss does not depend on gets zeros.
     *
     * @param step the manager the gradients are attached to
     */
    static Map<String, NDArray> of(NDArray loss, Map<String, Parameter> params, NDManager step) {
        List<String> names = new ArrayList<>();
        List<NDArray> weights = new ArrayList<>();
        params.forEach((name, p) -> {
            if (p.requiresGradient()) {
                names.add(name);
                weights.add(p.getArray());
            }
        });
        Map<String, NDArray> out = new LinkedHashMap<>();
        Iterator<NDArray> grads = Script.SCRIPT.callForTensors("of", step, loss, weights).iterator();
        names.forEach(n -> out.put(n, grads.next()));
        return out;
    }
}
