/**
 * Everything in AttnFER that depends on DJL's PyTorch engine rather than its engine-neutral API:
 * {@link org.attnfer.nn.pytorch.TorchScript}, which compiles TorchScript source at run time to reach
 * libtorch operators DJL does not expose (fused optimiser kernels, prepacked convolutions, casts to
 * bfloat16, in-place operations), {@link org.attnfer.nn.pytorch.GradMode} and
 * {@link org.attnfer.nn.pytorch.OperatorProfile}. No other package of the framework imports
 * {@code ai.djl.pytorch}.
 */
@Version("1.2.0")
package org.attnfer.nn.pytorch;

import org.osgi.annotation.versioning.Version;
