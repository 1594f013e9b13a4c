package org.attnfer.cli.internal;

import java.util.List;
import org.attnfer.api.report.ReportSection;

/** The report sections available now (in the runtime: every registered {@link ReportSection}). */
@FunctionalInterface
interface ReportSections {

    /** The sections. */
    List<ReportSection> all();
}
