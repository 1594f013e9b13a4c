package org.attnfer.cli.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import java.util.List;
import java.util.function.Function;
import org.attnfer.api.data.DatasetProvider;
import org.attnfer.api.report.ReportSection;
import org.attnfer.composer.ComposerModule;
import org.attnfer.composer.ModuleRegistry;
import org.attnfer.experiment.DatasetCatalog;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The application the runtime starts: a Guice injector over the services of the framework, and the
 * {@code fer} command line on top. Registered under a JDK type so that the host needs no project
 * class.
 */
@Component(service = Function.class, property = "attnfer.application=fer")
public final class FerApplication implements Function<String[], Integer> {

    private final Injector injector;

    // the dataset kinds of the bundles that are running now; DS swaps the list as they come and go
    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<DatasetProvider> datasets = List.of();

    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ReportSection> reportSections = List.of();

    /** Wires the application on the registries that follow the framework's services. */
    @Activate
    public FerApplication(BundleContext context, @Reference ModuleRegistry registry) {
        injector = Guice.createInjector(new ComposerModule(registry), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Framework.class).toInstance(new Framework.Osgi(context));
                bind(DatasetCatalog.class).toInstance(() -> datasets);
                bind(ReportSections.class).toInstance(() -> reportSections);
            }
        });
    }

    @Override
    public Integer apply(String[] args) {
        return Cli.run(injector, args);
    }
}
