package org.attnfer.cli.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** What the command line needs to know about the running framework. */
interface Framework {

    /** A feature and the state of its bundles. */
    record FeatureState(String name, String description, boolean installed, List<String> bundles) {}

    /** The features of the distribution, each bundle with its state ({@code name version [active]}). */
    List<FeatureState> features();

    /** A framework property ({@code attnfer.home}). */
    Optional<String> property(String key);

    /** The framework of the runtime. */
    final class Osgi implements Framework {
        private final BundleContext context;

        Osgi(BundleContext context) {
            this.context = context;
        }

        @Override
        public Optional<String> property(String key) {
            return Optional.ofNullable(context.getProperty(key));
        }

        @Override
        public List<FeatureState> features() {
            List<String> installed = split(context.getProperty("attnfer.features.installed"));
            List<FeatureState> out = new ArrayList<>();
            for (String name : split(context.getProperty("attnfer.features"))) {
                List<String> bundles = new ArrayList<>();
                for (String bsn : split(context.getProperty("attnfer.feature." + name))) {
                    bundles.add(Arrays.stream(context.getBundles())
                            .filter(b -> bsn.equals(b.getSymbolicName()))
                            .findFirst()
                            .map(b -> bsn + " " + b.getVersion() + " [" + state(b) + "]")
                            .orElse(bsn + " [not installed]"));
                }
                out.add(new FeatureState(name, context.getProperty("attnfer.feature." + name + ".description"), installed.contains(name), bundles));
            }
            return out;
        }

        private static List<String> split(String s) {
            return s == null || s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::strip).toList();
        }

        private static String state(Bundle b) {
            return switch (b.getState()) {
                case Bundle.ACTIVE -> "active";
                case Bundle.RESOLVED -> "resolved";
                case Bundle.INSTALLED -> "unresolved";
                case Bundle.STARTING -> "starting";
                default -> "state " + b.getState();
            };
        }
    }
}
