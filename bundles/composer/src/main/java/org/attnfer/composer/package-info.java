/**
 * The composer: model specs, their shorthand names ({@code resnet50+simam+ca}), the registry of
 * modules and backbones, and the composition of a network from them.
 */
@Version("1.2.0")
package org.attnfer.composer;

import org.osgi.annotation.versioning.Version;
