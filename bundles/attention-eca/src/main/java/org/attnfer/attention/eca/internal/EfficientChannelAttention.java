package org.attnfer.attention.eca.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;
import org.attnfer.api.AttentionMaps;
import org.attnfer.nn.ChannelGate;
import org.attnfer.nn.Conv1d;
import org.attnfer.nn.Ops;

/**
 * ECA (Wang, Wu, Zhu, Li, Zuo, Hu, <i>ECA-Net: Efficient Channel Attention for Deep Convolutional
 * Neural Networks</i>, CVPR 2020): a 1-D convolution of size k across the pooled channel
 * descriptor, zero-padded, without bias: {@code x · σ(conv1d_k(GAP(x)))}.
 */
final class EfficientChannelAttention extends ChannelGate implements AttentionMaps {

    private final Conv1d conv;

    EfficientChannelAttention(int kernel) {
        conv = child("conv", new Conv1d(1, 1, kernel, (kernel - 1) / 2));
    }

    /** The adaptive kernel size: {@code t = ⌊|(log2 C + b) / γ|⌋}, made odd by adding 1. */
    static int adaptiveKernel(int channels, double gamma, double b) {
        int t = (int) Math.floor(Math.abs((Math.log(channels) / Math.log(2) + b) / gamma));
        return t % 2 == 1 ? t : t + 1;
    }

    @Override
    protected NDArray gate(ParameterStore ps, NDArray x, boolean training, PairList<String, Object> params) {
        long n = x.getShape().get(0);
        long c = x.getShape().get(1);
        NDArray y = run(conv, ps, Ops.gap(x).reshape(n, 1, c), training, params);
        return Ops.sigmoid(y.reshape(n, c));
    }

    @Override
    public Map<String, NDArray> attentionMaps(ParameterStore store, NDArray input) {
        return Map.of("channel", gate(store, input, false, null));
    }
}
