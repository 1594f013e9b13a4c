package org.attnfer.data.synthetic.internal;

import java.nio.file.Path;
import java.util.List;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.DatasetProvider;
import org.osgi.service.component.annotations.Component;

/** Registers {@code synthetic-faces}, the embedded benchmark: no files, any count, deterministic per seed. */
@Component(service = DatasetProvider.class)
public final class SyntheticFacesProvider implements DatasetProvider {

    private static final List<ParamSpec> OPTIONS = List.of(
            ParamSpec.ofChoice(
                    "split",
                    List.of("train", "test"),
                    "which people: the test split's identities never appear in training"),
            ParamSpec.ofInt("count", 7000, "number of images (classes balanced)")
                    .atLeast(7),
            ParamSpec.ofInt("seed", 0, "the generator's seed").atLeast(0),
            ParamSpec.ofInt("size", 48, "image side in pixels").atLeast(16).atMost(512),
            ParamSpec.ofBoolean("color", false, "RGB instead of grayscale"),
            ParamSpec.ofInt("identities", 400, "number of distinct people in the split")
                    .atLeast(1),
            ParamSpec.ofDouble("intensity_min", 0.8, "weakest expression intensity")
                    .atLeast(0)
                    .atMost(1.5),
            ParamSpec.ofDouble("intensity_max", 1.0, "strongest expression intensity")
                    .atLeast(0)
                    .atMost(1.5),
            ParamSpec.ofDouble("jitter", 0.1, "individual variation of every facial action")
                    .atLeast(0)
                    .atMost(1),
            ParamSpec.ofDouble("occlusion", 0.1, "share of faces partly covered (hand, dark glasses, scarf, hair)")
                    .atLeast(0)
                    .atMost(1),
            ParamSpec.ofDouble("clutter", 0.25, "amount of background clutter and distractor shapes")
                    .atLeast(0)
                    .atMost(1),
            ParamSpec.ofDouble("noise", 0.03, "largest sensor-noise standard deviation (share of full scale)")
                    .atLeast(0)
                    .atMost(1),
            ParamSpec.ofDouble("small_faces", 0.0, "share of small faces placed anywhere in a larger frame")
                    .atLeast(0)
                    .atMost(1),
            ParamSpec.ofDouble("label_noise", 0.0, "share of labels replaced by another class")
                    .atLeast(0)
                    .atMost(1));

    @Override
    public String id() {
        return "synthetic-faces";
    }

    @Override
    public String doc() {
        return "the embedded benchmark: procedural faces with the seven emotions, drawn on the fly (no files)";
    }

    @Override
    public List<ParamSpec> options() {
        return OPTIONS;
    }

    @Override
    public Dataset open(Params options, Path baseDir) {
        return new SyntheticFaces(options);
    }
}
