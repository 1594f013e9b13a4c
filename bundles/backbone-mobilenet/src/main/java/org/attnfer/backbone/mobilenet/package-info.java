/**
 * MobileNetV2 (Sandler, Howard, Zhu, Zhmoginov, Chen, <i>MobileNetV2: Inverted Residuals and
 * Linear Bottlenecks</i>, CVPR 2018) in torchvision's layout and parameter names ({@code
 * features.N...}, {@code classifier.1}), with the shared hooks ({@link org.attnfer.api.HookNames})
 * where attention and sampling modules go.
 */
@Version("1.0.0")
package org.attnfer.backbone.mobilenet;

import org.osgi.annotation.versioning.Version;
