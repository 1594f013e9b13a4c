package org.attnfer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.attnfer.api.data.Dataset;
import org.attnfer.api.data.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arg-max, loss and ensembles of fixed probabilities, by hand. */
class PredictionsTest {

    private static final int[] ITEMS = {4, 7};
    private static final int[] TRUE = {0, 2};

    @Test
    void argMaxAndLossFollowFromTheProbabilities() {
        Predictions p = Predictions.of(ITEMS, TRUE, new float[][] {{0.5f, 0.3f, 0.2f}, {0.1f, 0.6f, 0.3f}});
        assertThat(p.predicted()).containsExactly(0, 1);
        assertThat(p.loss()).isCloseTo(-(Math.log(0.5) + Math.log(0.3)) / 2, within(1e-6));
    }

    @Test
    void anEnsembleAveragesItsMembersProbabilities() {
        Predictions a = Predictions.of(ITEMS, TRUE, new float[][] {{0.5f, 0.3f, 0.2f}, {0.1f, 0.6f, 0.3f}});
        Predictions b = Predictions.of(ITEMS, TRUE, new float[][] {{0.1f, 0.7f, 0.2f}, {0.0f, 0.2f, 0.8f}});
        Predictions e = Predictions.mean(List.of(a, b));
        // item 0: (0.3, 0.5, 0.2) — b's vote wins; item 1: (0.05, 0.4, 0.55) — right where a alone was wrong
        assertThat(e.probabilities()[0]).containsExactly(new float[] {0.3f, 0.5f, 0.2f}, within(1e-6f));
        assertThat(e.probabilities()[1]).containsExactly(new float[] {0.05f, 0.4f, 0.55f}, within(1e-6f));
        assertThat(e.predicted()).containsExactly(1, 2);
        assertThat(e.indices()).containsExactly(ITEMS);
        assertThat(e.loss()).isCloseTo(-(Math.log(0.3) + Math.log(0.55)) / 2, within(1e-6));
    }

    @Test
    void membersOnOtherItemsAreRefused() {
        float[][] even = {{0.5f, 0.5f, 0}, {0.5f, 0.5f, 0}};
        Predictions a = Predictions.of(ITEMS, TRUE, even);
        Predictions b = Predictions.of(new int[] {4, 8}, TRUE, even);
        assertThatThrownBy(() -> Predictions.mean(List.of(a, b))).hasMessageContaining("the same items");
    }

    @Test
    void theCsvHasARowPerItemWithItsIdQuotedWhereNeeded(@TempDir Path dir) throws IOException {
        Dataset data = new Dataset() {
            @Override
            public String describe() {
                return "two items";
            }

            @Override
            public List<String> classes() {
                return List.of("angry", "happy", "sad");
            }

            @Override
            public int size() {
                return 8;
            }

            @Override
            public int label(int index) {
                return index == 4 ? 0 : 2;
            }

            @Override
            public Sample get(int index) {
                return new Sample(index == 4 ? "a,b \"c\".png" : "plain.png", label(index), null, null);
            }
        };
        Path file = dir.resolve("p.csv");
        Predictions.of(ITEMS, TRUE, new float[][] {{0.5f, 0.3f, 0.2f}, {0.1f, 0.6f, 0.3f}})
                .write(file, data);
        assertThat(Files.readAllLines(file))
                .containsExactly(
                        "index,item,true,predicted,p_angry,p_happy,p_sad",
                        "4,\"a,b \"\"c\"\".png\",angry,angry,0.500000,0.300000,0.200000",
                        "7,plain.png,sad,happy,0.100000,0.600000,0.300000");
        assertThat(dir.toFile().list()).containsExactly("p.csv");
    }
}
