/**
 * The contracts of AttnFER: network modules (attention and sampling), backbones with named hooks,
 * and the typed parameters that describe and validate them.
 *
 * <p>A module bundle implements {@link org.attnfer.api.AttentionModule} or {@link
 * org.attnfer.api.SamplingModule} and registers it as an OSGi service; nothing else in the
 * framework needs to change.
 */
@Version("1.1.0")
package org.attnfer.api;

import org.osgi.annotation.versioning.Version;
