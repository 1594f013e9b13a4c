package org.attnfer.api.data;

import java.io.IOException;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An indexed, read-only collection of labelled images. Labels and subjects are available without
 * decoding images, so that splits are cheap.
 */
@ConsumerType
public interface Dataset {

    /** A one-line description for logs and manifests ({@code image folder data/fer2013/train}). */
    String describe();

    /** The class names, in label order. */
    List<String> classes();

    /** The number of samples. */
    int size();

    /** The label of a sample, without decoding its image. */
    int label(int index);

    /**
     * The subject (person) of a sample, for subject-independent splits; {@code null} when unknown.
     */
    default String subject(int index) {
        return null;
    }

    /**
     * How many items were left out because they could not be read (under {@code on_error: skip});
     * {@link #describe()} names the first few.
     */
    default int skipped() {
        return 0;
    }

    /**
     * A short fingerprint of the data as stored (for an image folder, a hash of its file names,
     * sizes and times), recorded in run manifests so that results can be tied to their data;
     * {@code null} when the source cannot tell.
     */
    default String fingerprint() {
        return null;
    }

    /**
     * Reads one sample.
     *
     * @throws IOException when the sample cannot be read; the message names the file or row
     */
    Sample get(int index) throws IOException;
}
