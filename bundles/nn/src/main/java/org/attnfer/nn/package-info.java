/**
 * Building blocks for AttnFER networks on DJL: a {@link org.attnfer.nn.Module} base with named
 * children and PyTorch state-dict names, leaf layers whose shapes are fixed at construction
 * (channels first, as in timm), {@link org.attnfer.nn.Taps} to observe or probe any named layer
 * during a forward pass, parameter and multiply-accumulate counting, and state-dict import and
 * export. Convolutions compute by the route {@link org.attnfer.nn.Routes} measured fastest and
 * correct on the machine; {@link org.attnfer.nn.Precision} lets them multiply in bfloat16. What
 * depends on DJL's PyTorch engine lives in {@link org.attnfer.nn.pytorch}.
 */
@Version("2.3.0")
package org.attnfer.nn;

import org.osgi.annotation.versioning.Version;
