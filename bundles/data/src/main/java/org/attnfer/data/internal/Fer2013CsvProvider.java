package org.attnfer.data.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.DatasetProvider;
import org.attnfer.data.BadInput;
import org.attnfer.data.Fer2013Csv;
import org.osgi.service.component.annotations.Component;

/** Registers the {@code fer2013-csv} dataset kind. */
@Component(service = DatasetProvider.class)
public final class Fer2013CsvProvider implements DatasetProvider {

    @Override
    public String id() {
        return "fer2013-csv";
    }

    @Override
    public String doc() {
        return "the FER2013 CSV (emotion,pixels,Usage), one Usage split at a time";
    }

    @Override
    public List<ParamSpec> options() {
        return List.of(
                ParamSpec.ofString("path", null, "the CSV, relative to the experiment file"),
                ParamSpec.ofString(
                        "usage", "Training", "the rows of one Usage: Training, PublicTest, PrivateTest, or all"),
                BadInput.OPTION);
    }

    @Override
    public Dataset open(Params options, Path baseDir) throws IOException {
        if (!options.has("path")) {
            throw new IllegalArgumentException("fer2013-csv needs a 'path'");
        }
        return Fer2013Csv.read(baseDir.resolve(options.getString("path")).normalize(), BadInput.of(options))
                .dataset(options.getString("usage"));
    }
}
