package org.attnfer.attention.se.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;
import org.attnfer.api.AttentionMaps;
import org.attnfer.nn.ChannelGate;
import org.attnfer.nn.Linear;
import org.attnfer.nn.Ops;

/**
 * Squeeze-and-excitation (Hu, Shen, Sun, <i>Squeeze-and-Excitation Networks</i>, CVPR 2018):
 * {@code x · σ(W2 · ReLU(W1 · GAP(x) + b1) + b2)}, with {@code fc1: C → C/r} and {@code fc2: C/r → C}.
 */
final class SqueezeExcitation extends ChannelGate implements AttentionMaps {

    private final Linear fc1;
    private final Linear fc2;

    SqueezeExcitation(int channels, int reduction, boolean bias) {
        int mid = Math.max(1, channels / reduction);
        fc1 = child("fc1", new Linear(channels, mid, bias));
        fc2 = child("fc2", new Linear(mid, channels, bias));
    }

    @Override
    protected NDArray gate(ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params) {
        NDArray a = Ops.gap(x).reshape(x.getShape().get(0), x.getShape().get(1));
        return Ops.sigmoid(run(fc2, ps, Ops.relu(run(fc1, ps, a, training, params)), training, params));
    }

    @Override
    public Map<String, NDArray> attentionMaps(ParameterStore store, NDArray input) {
        return Map.of("channel", gate(store, input, false, null));
    }
}
