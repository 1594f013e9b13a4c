/**
 * Data for training and evaluation: the seven canonical emotion classes, seeded stratified splits,
 * and the pipeline that turns samples into normalised batches off the training thread.
 */
@Version("3.1.0")
package org.attnfer.data;

import org.osgi.annotation.versioning.Version;
