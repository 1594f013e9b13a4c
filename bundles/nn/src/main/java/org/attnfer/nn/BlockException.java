package org.attnfer.nn;

import ai.djl.nn.Block;

/** A block that failed in its forward pass; the message names the block's class (a plug-in's, say). */
public final class BlockException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Wraps a failure of {@code block}. */
    public BlockException(Block block, RuntimeException cause) {
        super(block.getClass().getName() + " failed in its forward pass: " + cause.getMessage(), cause);
    }
}
