/**
 * Reports of experiments: run folders read back, comparison tables with the statistics the
 * reproduced paper lacks (means and standard deviations over seeds, 95 % intervals, paired tests
 * against the baseline on the same test images), charts drawn with JFreeChart, and one
 * {@code index.html} that opens offline.
 */
@Version("1.1.0")
package org.attnfer.report;

import org.osgi.annotation.versioning.Version;
