package org.attnfer.attention.ca.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;
import org.attnfer.api.AttentionMaps;
import org.attnfer.nn.ChannelGate;
import org.attnfer.nn.Linear;
import org.attnfer.nn.Ops;

/**
 * CA, the channel branch of CBAM (Woo, Park, Lee, Kweon, <i>CBAM: Convolutional Block Attention
 * Module</i>, ECCV 2018): {@code x · σ(MLP(GAP(x)) + MLP(GMP(x)))} with one MLP, {@code C → C/r →
 * C}, shared by both descriptors ({@code fc1}, {@code fc2}).
 */
final class ChannelAttention extends ChannelGate implements AttentionMaps {

    private final Linear fc1;
    private final Linear fc2;

    ChannelAttention(int channels, int reduction, boolean bias) {
        int mid = Math.max(1, channels / reduction);
        fc1 = child("fc1", new Linear(channels, mid, bias));
        fc2 = child("fc2", new Linear(mid, channels, bias));
    }

    /** σ(MLP(avg) + MLP(max)), {@code [N,C]}. */
    @Override
    protected NDArray gate(ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params) {
        long n = x.getShape().get(0);
        long c = x.getShape().get(1);
        // both descriptors go through the shared MLP as one batch of 2N rows
        NDArray descriptors =
                NDArrays.concat(new NDList(Ops.gap(x).reshape(n, c), Ops.gmp(x).reshape(n, c)));
        NDArray mlp = run(fc2, ps, Ops.relu(run(fc1, ps, descriptors, training, params)), training, params);
        return Ops.sigmoid(mlp.get("0:{}", n).add(mlp.get("{}:", n)));
    }

    @Override
    public Map<String, NDArray> attentionMaps(ParameterStore store, NDArray input) {
        return Map.of("channel", gate(store, input, false, null));
    }
}
