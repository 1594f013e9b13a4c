/** Training on DJL: the loop, its settings, per-epoch results, predictions and progress. */
@Version("4.0.0")
package org.attnfer.train;

import org.osgi.annotation.versioning.Version;
