package org.attnfer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading per-image prediction files, by hand. */
class PredictionFileTest {

    @TempDir
    Path dir;

    @Test
    void classesComeFromTheProbabilityColumnsAndQuotedIdsAreRead() throws IOException {
        Path f = Files.writeString(dir.resolve("p.csv"), """
                index,item,true,predicted,p_angry,p_happy,p_sad
                4,"a,b ""c"".png",angry,angry,0.5,0.3,0.2

                7,plain.png,sad,happy,0.1,0.6,0.3
                """);
        PredictionFile p = PredictionFile.read(f);
        assertThat(p.classes()).containsExactly("angry", "happy", "sad");
        assertThat(p.items()).containsExactly("a,b \"c\".png", "plain.png");
        assertThat(p.actual()).containsExactly(0, 2);
        assertThat(p.predicted()).containsExactly(0, 1);
        assertThat(p.correct()).containsExactly(true, false);
    }

    @Test
    void otherFilesAreRefusedNamingTheFileAndLine() throws IOException {
        Path notOne = Files.writeString(dir.resolve("epochs.csv"), "epoch,train_loss\n1,0.5\n");
        assertThatThrownBy(() -> PredictionFile.read(notOne))
                .hasMessage(notOne + ": not a predictions file (its first line must start with "
                        + "index,item,true,predicted,p_…)");
        Path badRow = Files.writeString(
                dir.resolve("bad.csv"),
                "index,item,true,predicted,p_angry,p_sad\n0,x.png,angry,angry,1,0\n1,y.png,calm,sad,0,1\n");
        assertThatThrownBy(() -> PredictionFile.read(badRow))
                .hasMessage(badRow + ":3: expected a true and a predicted class among angry, sad");
        assertThatThrownBy(() -> PredictionFile.read(dir.resolve("none.csv")))
                .hasMessageContaining("none.csv")
                .hasMessageContaining("no predictions file");
    }
}
