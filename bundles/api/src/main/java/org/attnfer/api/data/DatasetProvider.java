package org.attnfer.api.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.attnfer.api.ParamSpec;
import org.attnfer.api.Params;
import org.osgi.annotation.versioning.ConsumerType;

/** Opens datasets of one kind ({@code image-folder}, {@code fer2013-csv}, ...). */
@ConsumerType
public interface DatasetProvider {

    /** The kind's id, as written in experiment files. */
    String id();

    /** One sentence for help texts. */
    String doc();

    /** The options it accepts. */
    List<ParamSpec> options();

    /**
     * Opens a dataset.
     *
     * @param options validated options
     * @param baseDir the folder relative paths are resolved against (the experiment file's)
     * @return the dataset
     * @throws IOException when the data cannot be read; the message names the file
     */
    Dataset open(Params options, Path baseDir) throws IOException;
}
