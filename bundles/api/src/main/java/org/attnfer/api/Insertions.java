package org.attnfer.api;

import ai.djl.nn.Block;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/** What a backbone asks at each of its hooks while it builds a network. */
@ConsumerType
public interface Insertions {

    /** The modules to apply, in order, at an insert site. */
    List<Insert> insert(Site site);

    /** The block that replaces the backbone's layer at a replace site, if any. */
    Optional<Block> replace(Site site);

    /** No modules anywhere: the plain backbone. */
    static Insertions none() {
        return new Insertions() {
            @Override
            public List<Insert> insert(Site site) {
                return List.of();
            }

            @Override
            public Optional<Block> replace(Site site) {
                return Optional.empty();
            }
        };
    }
}
