package org.attnfer.cli.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Felix's resolution errors in words. */
final class Problems {

    private static final Pattern PACKAGE = Pattern.compile(
            "osgi\\.wiring\\.package=([\\w.]+)\\)(?:\\(version>=([\\d.]+)\\))?(?:\\(!\\(version>=([\\d.]+)\\)\\))?");

    private Problems() {}

    /**
     * {@code missing requirement … osgi.wiring.package=org.attnfer.api)(version>=2.0.0)(!(version>=3.0.0))} → a
     * sentence.
     */
    static String explain(String felix) {
        if (felix == null) {
            return "unknown problem";
        }
        Matcher m = PACKAGE.matcher(felix);
        if (m.find()) {
            String range = m.group(2) == null
                    ? ""
                    : " [" + m.group(2) + (m.group(3) == null ? ", ∞)" : ", " + m.group(3) + ")");
            return "it needs package " + m.group(1) + range + ", which no installed bundle provides"
                    + (m.group(1).startsWith("org.attnfer.") ? " (was it built against another AttnFER API?)" : "");
        }
        if (felix.contains("Bundle-SymbolicName")
                || felix.contains("not a valid bundle")
                || felix.contains("manifest")) {
            return "not an OSGi bundle (" + felix + ")";
        }
        return felix;
    }
}
