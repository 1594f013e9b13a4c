package org.attnfer.data.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.DatasetProvider;
import org.osgi.service.component.annotations.Component;

/** Registers the {@code image-folder} dataset kind. */
@Component(service = DatasetProvider.class)
public final class ImageFolderProvider implements DatasetProvider {

    @Override
    public String id() {
        return "image-folder";
    }

    @Override
    public String doc() {
        return "a folder with one sub-folder of images per class (FER2013 image folders, RAF-DB, CK+, AffectNet exports)";
    }

    @Override
    public List<ParamSpec> options() {
        return List.of(ParamSpec.ofString("path", null, "the folder, relative to the experiment file"));
    }

    @Override
    public Dataset open(Params options, Path baseDir) throws IOException {
        if (!options.has("path")) {
            throw new IllegalArgumentException("image-folder needs a 'path'");
        }
        return new ImageFolderDataset(baseDir.resolve(options.getString("path")).normalize());
    }
}
