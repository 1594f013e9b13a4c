package org.attnfer.api.report;

import java.nio.file.Path;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** What a report section gets to work from. */
@ProviderType
public interface ReportContext {

    /** The folder the report is written to; sections put their files here. */
    Path reportDir();

    /** The finished runs of the experiment, in experiment order. */
    List<RunRecord> runs();

    /** The class names of the experiment's dataset. */
    List<String> classes();
}
