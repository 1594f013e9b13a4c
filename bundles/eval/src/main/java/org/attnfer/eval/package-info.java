/** Evaluation: classification metrics computed by ND4J's {@code Evaluation} from predictions. */
@Version("1.0.0")
package org.attnfer.eval;

import org.osgi.annotation.versioning.Version;
