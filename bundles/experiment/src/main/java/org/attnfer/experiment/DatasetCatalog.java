package org.attnfer.experiment;

import java.util.List;
import java.util.Optional;
import org.attnfer.api.data.DatasetProvider;

/** The dataset kinds available now (in the runtime: every registered {@link DatasetProvider}). */
@FunctionalInterface
public interface DatasetCatalog {

    /** The providers. */
    List<DatasetProvider> providers();

    /** A provider by id. */
    default Optional<DatasetProvider> find(String id) {
        return providers().stream().filter(p -> p.id().equals(id)).findFirst();
    }
}
