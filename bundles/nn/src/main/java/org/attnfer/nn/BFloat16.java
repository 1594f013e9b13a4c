package org.attnfer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.attnfer.nn.pytorch.TorchScript;

/**
 * bfloat16 activations, for {@link Precision#BFLOAT16} training. DJL 0.36 cannot make a bfloat16
 * array itself ({@code toType(BFLOAT16)} aborts the JVM in its PyTorch engine), but it holds one
 * that libtorch made and runs its operators on it; it reports the type as {@link
 * DataType#UNKNOWN}. So the casts happen in TorchScript, recorded for the backward pass (DJL's
 * {@code toType} records nothing), and a
 * layer with float32 parameters casts them to its input's type, as PyTorch's autocast does.
 */
public final class BFloat16 {

    private BFloat16() {}

    // DJL's own cast (toType) records nothing for autograd, so both directions are TorchScript
    private static final class Cast {
        // 15 is torch.bfloat16: serialised TorchScript spells dtypes as numbers
        static final TorchScript SCRIPT = TorchScript.compile("BFloat16Cast", """
                def forward(self, x: Tensor) -> Tensor:
                  return torch.to(x, 15)
                """);
    }

    private static final class Back {
        static final TorchScript SCRIPT = TorchScript.compile("Float32Cast", """
                def forward(self, x: Tensor) -> Tensor:
                  return x.float()
                """);
    }

    /** Whether {@code x} holds bfloat16 values. */
    public static boolean holds(NDArray x) {
        DataType t = x.getDataType();
        // DJL 0.36's PyTorch engine has no code for libtorch's bfloat16, and AttnFER makes no other type it lacks
        return t == DataType.BFLOAT16 || t == DataType.UNKNOWN;
    }

    /** {@code x} in bfloat16, the cast recorded for the backward pass; {@code x} itself when it is already. */
    public static NDArray cast(NDArray x) {
        return holds(x) ? x : Cast.SCRIPT.forwardRecording(x);
    }

    /**
     * A float32 parameter {@code p} in the type of the activations {@code x} it meets: cast to
     * bfloat16 (recorded, so that its gradient reaches the float32 parameter) where {@code x} is
     * bfloat16, itself otherwise.
     */
    public static NDArray like(NDArray p, NDArray x) {
        if (!holds(x) || holds(p)) {
            return p;
        }
        NDArray cast = Cast.SCRIPT.forwardRecording(p);
        // it would otherwise belong to the parameter's manager and stay there until the model is closed
        cast.attach(x.getManager());
        return cast;
    }

    /** {@code x} in float32 (recorded): for losses and statistics that bfloat16 rounds too coarsely. */
    public static NDArray toFloat32(NDArray x) {
        return holds(x) ? Back.SCRIPT.forwardRecording(x) : x;
    }
}
