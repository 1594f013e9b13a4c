/**
 * ResNet in the torchvision "v1.5" layout (He, Zhang, Ren, Sun, <i>Deep Residual Learning for
 * Image Recognition</i>, CVPR 2016; stride on the 3×3 convolution), with torchvision's parameter
 * names and named hooks ({@link org.attnfer.backbone.resnet.Hooks}) where attention and sampling
 * modules go.
 */
@Version("2.0.0")
package org.attnfer.backbone.resnet;

import org.osgi.annotation.versioning.Version;
