package org.attnfer.api;

/**
 * One place in a backbone where a module is inserted or where it replaces a layer.
 *
 * @param hook the hook name ({@code bottleneck.after_bn3})
 * @param stage the stage: 0 for the stem, 1 to 4 for {@code layer1} to {@code layer4}
 * @param block the block index within the stage, or -1 for hooks that are not inside a block
 * @param channels the channel count the module sees at its input
 * @param outChannels the channel count it must produce (equal to {@code channels} at insert hooks)
 * @param stride the stride it must apply (1 at insert hooks)
 * @param path the parameter-key path of the place ({@code layer2.0}); empty at the top level
 */
public record Site(String hook, int stage, int block, int channels, int outChannels, int stride, String path) {

    /** An insertion site: shape-preserving. */
    public static Site insert(String hook, int stage, int block, int channels, String path) {
        return new Site(hook, stage, block, channels, channels, 1, path);
    }

    /** A readable location for error messages: {@code layer2.0 (bottleneck.after_bn3)}. */
    public String describe() {
        return (path.isEmpty() ? "top level" : path) + " (" + hook + ")";
    }
}
