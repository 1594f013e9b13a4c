/**
 * Experiments: the YAML experiment file (every problem reported with file, line and key before
 * anything runs), its expansion into variant × seed runs, and the run folders they write.
 */
@Version("3.0.0")
package org.attnfer.experiment;

import org.osgi.annotation.versioning.Version;
