package org.attnfer.backbone.mobilenet;

import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.attnfer.nn.Dropout;
import org.attnfer.nn.Linear;
import org.attnfer.nn.Module;

/**
 * torchvision's MobileNetV2 {@code classifier} on the pooled features {@code [N,C]}: dropout 0.2
 * (index 0, no parameters), then {@code 1} the linear layer.
 */
final class Classifier extends Module {

    private static final double DROPOUT = 0.2;

    private final Dropout dropout = new Dropout(DROPOUT);
    private final Linear fc;

    Classifier(int channels, int classes) {
        fc = child("1", new Linear(channels, classes, true));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        return new NDList(run(fc, ps, dropout.apply(in.singletonOrThrow(), training, params), training, params));
    }
}
