/**
 * Tensor files: NumPy {@code .npy} and {@code .npz}, and {@code .safetensors}, read and written
 * without any engine, so that PyTorch state dicts and reference tensors move in and out by name.
 */
@Version("1.1.0")
package org.attnfer.nn.io;

import org.osgi.annotation.versioning.Version;
