package org.attnfer.composer;

import com.google.inject.AbstractModule;

/** Guice bindings of the composer: the registry it composes from, and the composer. */
public final class ComposerModule extends AbstractModule {

    private final ModuleRegistry registry;

    /** Binds the given registry (in the runtime, the one that follows the OSGi service registry). */
    public ComposerModule(ModuleRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected void configure() {
        bind(ModuleRegistry.class).toInstance(registry);
        bind(Composer.class);
    }
}
