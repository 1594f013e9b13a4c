/**
 * Building blocks for AttnFER networks on DJL: a {@link org.attnfer.nn.Module} base with named
 * children and PyTorch state-dict names, leaf layers whose shapes are fixed at construction
 * (channels first, as in timm), {@link org.attnfer.nn.Taps} to observe or probe any named layer
 * during a forward pass, parameter and multiply-accumulate counting, and state-dict import and
 * export. {@link org.attnfer.nn.TorchScript} reaches PyTorch operators beyond DJL's API;
 * {@link org.attnfer.nn.Precision} lets training convolutions multiply in bfloat16.
 */
@Version("1.5.0")
package org.attnfer.nn;

import org.osgi.annotation.versioning.Version;
