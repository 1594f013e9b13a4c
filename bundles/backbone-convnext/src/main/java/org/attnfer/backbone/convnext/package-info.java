/**
 * ConvNeXt (Liu, Mao, Wu, Feichtenhofer, Darrell, Xie, <i>A ConvNet for the 2020s</i>, CVPR 2022)
 * in torchvision's layout and parameter names ({@code features.N...}, {@code classifier.2}), with
 * the shared hooks ({@link org.attnfer.api.HookNames}) where attention modules go.
 */
@Version("1.0.0")
package org.attnfer.backbone.convnext;

import org.osgi.annotation.versioning.Version;
