package org.attnfer.testkit;

import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.attnfer.api.Insert;
import org.attnfer.api.Insertions;
import org.attnfer.api.Site;

/**
 * Insertions for tests of a single block: modules made per site at the named hooks, without the
 * composer.
 */
public final class AtHook implements Insertions {

    private record Entry(String hook, String name, Function<Site, Block> factory) {}

    private final List<Entry> entries = new ArrayList<>();

    /** Places a module made by {@code factory} at every site of {@code hook}, named {@code name}. */
    public AtHook put(String hook, String name, Function<Site, Block> factory) {
        entries.add(new Entry(hook, name, factory));
        return this;
    }

    @Override
    public List<Insert> insert(Site site) {
        return entries.stream()
                .filter(e -> e.hook.equals(site.hook()))
                .map(e -> new Insert(e.name, e.factory.apply(site)))
                .toList();
    }

    @Override
    public Optional<Block> replace(Site site) {
        return entries.stream()
                .filter(e -> e.hook.equals(site.hook()))
                .findFirst()
                .map(e -> e.factory.apply(site));
    }
}
