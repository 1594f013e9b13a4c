/**
 * Faces in ordinary photos, without a network: a Viola-Jones detector (Viola and Jones, <i>Rapid
 * Object Detection using a Boosted Cascade of Simple Features</i>, CVPR 2001) that evaluates
 * OpenCV's Haar cascade files, and square crops of the faces it finds.
 */
@Version("1.0.0")
package org.attnfer.face;

import org.osgi.annotation.versioning.Version;
