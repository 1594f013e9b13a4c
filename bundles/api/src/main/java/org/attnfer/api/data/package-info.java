/**
 * Dataset contracts: providers open datasets of labelled face images from a specification.
 * Further providers (a new dataset format) are OSGi services like the modules.
 */
@Version("1.1.0")
package org.attnfer.api.data;

import org.osgi.annotation.versioning.Version;
