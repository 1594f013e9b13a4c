package org.attnfer.cli.internal;

import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code fer features}: the named bundle sets of the distribution and the state of their bundles. */
@Command(
        name = "features",
        description = {
            "List the features (named sets of bundles in features/) with their bundles and states.",
            "conf/fer.properties says which features a command installs; plug-ins in plugins/ are always installed."
        })
final class FeaturesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private final Framework framework;

    @Inject
    FeaturesCommand(Framework framework) {
        this.framework = framework;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (Framework.FeatureState f : framework.features()) {
            out.println(f.name() + (f.installed() ? "" : " (not installed for this command)") + ": " + f.description());
            f.bundles().forEach(b -> out.println("  " + b));
        }
        out.flush();
        return 0;
    }
}
