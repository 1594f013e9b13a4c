package org.attnfer.api.report;

import java.io.IOException;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/** A part of a report: a table, a set of charts, heat maps. Registered as an OSGi service. */
@ConsumerType
public interface ReportSection {

    /** A short id ({@code tables}). */
    String id();

    /** Its heading in the report. */
    String title();

    /** Its position: lower comes first. */
    int order();

    /**
     * Writes the section's files into {@link ReportContext#reportDir()}.
     *
     * @return the section's HTML body, or empty when it has nothing to show for these runs
     */
    Optional<String> render(ReportContext context) throws IOException;
}
