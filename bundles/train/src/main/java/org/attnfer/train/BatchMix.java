package org.attnfer.train;

import java.util.Random;
import java.util.stream.IntStream;
import org.attnfer.data.Batches;
import org.attnfer.data.InputSpec;

/**
 * Batch-level augmentation that blends pairs of training images and their labels. Mixup (Zhang et
 * al., "mixup: Beyond Empirical Risk Minimization", ICLR 2018) draws λ ~ Beta(α, α) and blends whole
 * images, {@code x = λ·x_i + (1−λ)·x_j}; CutMix (Yun et al., "CutMix: Regularization Strategy to
 * Train Strong Classifiers with Localizable Features", ICCV 2019) pastes a box of about {@code
 * (1−λ)·H·W} pixels of {@code x_j} into {@code x_i} and sets λ to the share of pixels kept. The
 * loss becomes {@code λ·CE(y_i) + (1−λ)·CE(y_j)}. The partner {@code j} of every item comes from a
 * random permutation of the batch.
 *
 * @param mixup mixup's α; 0 turns it off
 * @param cutmix CutMix's α; 0 turns it off
 * @param probability the share of batches that are mixed; with both on, a mixed batch uses either
 *     with equal odds
 */
public record BatchMix(double mixup, double cutmix, double probability) {

    /** No mixing. */
    public static final BatchMix NONE = new BatchMix(0, 0, 0);

    /**
     * How one batch was mixed.
     *
     * @param partner the item whose image and label were blended into each item
     * @param lambda the weight of each item's own label
     */
    public record Mixed(int[] partner, double lambda) {

        /** Whether an item's own label outweighs its partner's (for counting training hits). */
        public boolean ownLabelDominates() {
            return lambda >= 0.5;
        }
    }

    /** Whether any batch is mixed. */
    public boolean active() {
        return probability > 0 && (mixup > 0 || cutmix > 0);
    }

    /**
     * Mixes a batch in place.
     *
     * @param data {@code n} images in {@code [n, C, H, W]} order
     * @param n the number of items
     * @param input the image layout
     * @param r this batch's generator
     * @return how it was mixed, or {@code null} when this batch stays as it is
     */
    public Mixed apply(float[] data, int n, InputSpec input, Random r) {
        if (!active() || r.nextDouble() >= probability) {
            return null;
        }
        boolean cut = cutmix > 0 && (mixup == 0 || r.nextBoolean());
        double lambda = beta(cut ? cutmix : mixup, r);
        int[] partner = Batches.shuffled(IntStream.range(0, n).toArray(), r.nextLong());
        float[] source = data.clone();
        int size = input.size();
        int plane = size * size;
        int image = input.channels() * plane;
        if (cut) {
            // a box of side √(1−λ) of the image's, centred anywhere and clipped at the border
            double side = Math.sqrt(1 - lambda);
            int h = (int) (size * side);
            int cy = r.nextInt(size);
            int cx = r.nextInt(size);
            int y0 = Math.max(cy - h / 2, 0);
            int y1 = Math.min(cy + h / 2, size);
            int x0 = Math.max(cx - h / 2, 0);
            int x1 = Math.min(cx + h / 2, size);
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < input.channels(); c++) {
                    for (int y = y0; y < y1; y++) {
                        int row = c * plane + y * size;
                        System.arraycopy(source, partner[i] * image + row + x0, data, i * image + row + x0, x1 - x0);
                    }
                }
            }
            lambda = 1 - (double) (y1 - y0) * (x1 - x0) / plane;
        } else {
            float a = (float) lambda;
            for (int i = 0; i < n; i++) {
                int own = i * image;
                int other = partner[i] * image;
                for (int k = 0; k < image; k++) {
                    data[own + k] = a * source[own + k] + (1 - a) * source[other + k];
                }
            }
        }
        return new Mixed(partner, lambda);
    }

    /** A draw from Beta(α, α), as {@code X / (X + Y)} with X, Y ~ Gamma(α). */
    static double beta(double alpha, Random r) {
        double x = gamma(alpha, r);
        double y = gamma(alpha, r);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /**
     * A draw from Gamma(α, 1) by Marsaglia and Tsang's squeeze method (ACM TOMS 26(3), 2000); for
     * α &lt; 1 through Gamma(α + 1)·U^(1/α).
     */
    static double gamma(double alpha, Random r) {
        if (alpha < 1) {
            return gamma(alpha + 1, r) * Math.pow(r.nextDouble(), 1 / alpha);
        }
        double d = alpha - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = r.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = r.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
