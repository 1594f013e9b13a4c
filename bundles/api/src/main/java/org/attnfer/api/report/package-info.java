/** Report contracts: sections contribute tables and charts to an experiment's report. */
@Version("1.0.0")
package org.attnfer.api.report;

import org.osgi.annotation.versioning.Version;
