package org.attnfer.cli.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import java.util.function.Function;
import org.attnfer.composer.ComposerModule;
import org.attnfer.composer.ModuleRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The application the runtime starts: a Guice injector over the services of the framework, and the
 * {@code fer} command line on top. Registered under a JDK type so that the host needs no project
 * class.
 */
@Component(service = Function.class, property = "attnfer.application=fer")
public final class FerApplication implements Function<String[], Integer> {

    private final Injector injector;

    /** Wires the application on the registry that follows the framework's services. */
    @Activate
    public FerApplication(BundleContext context, @Reference ModuleRegistry registry) {
        injector = Guice.createInjector(new ComposerModule(registry), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Framework.class).toInstance(new Framework.Osgi(context));
            }
        });
    }

    @Override
    public Integer apply(String[] args) {
        return Cli.run(injector, args);
    }
}
