package org.attnfer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.attnfer.api.Params;
import org.attnfer.api.data.Dataset;
import org.attnfer.data.internal.Fer2013CsvProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Fer2013CsvTest {

    @TempDir
    Path dir;

    /** Row r's face: pixel i is (r + i) mod 256. */
    private static String pixels(int r, int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(Integer.toString((r + i) % 256));
        }
        return String.join(" ", values);
    }

    private Path csv(String header, List<String> rows) throws IOException {
        Path f = dir.resolve("fer" + rows.size() + header.length() + ".csv");
        List<String> lines = new ArrayList<>(List.of(header));
        lines.addAll(rows);
        Files.write(f, lines);
        return f;
    }

    private static Dataset open(Path csv, Map<String, Object> options) throws IOException {
        Fer2013CsvProvider p = new Fer2013CsvProvider();
        Map<String, Object> raw = new HashMap<>(options);
        raw.put("path", csv.getFileName().toString());
        return p.open(Params.validate(p.options(), raw), csv.getParent());
    }

    @Test
    void usageSplitsAndPixelsAreReadInOrder() throws IOException {
        List<String> rows = new ArrayList<>();
        String[] usages = {"Training", "Training", "Training", "PublicTest", "PrivateTest"};
        for (int r = 0; r < usages.length; r++) {
            rows.add(r % 7 + "," + pixels(r, 2304) + "," + usages[r]);
        }
        Path f = csv("emotion,pixels,Usage", rows);
        Dataset train = open(f, Map.of());
        assertThat(train.size()).isEqualTo(3);
        assertThat(train.classes()).isEqualTo(Emotions.CANONICAL);
        assertThat(train.label(2)).isEqualTo(2);
        assertThat(train.describe()).contains("Training: 3 faces");
        var img = train.get(1).image();
        assertThat(img.getWidth()).isEqualTo(48);
        assertThat(img.getRaster().getSample(0, 0, 0)).isEqualTo(1);
        assertThat(img.getRaster().getSample(5, 1, 0)).isEqualTo((1 + 48 + 5) % 256);
        assertThat(train.get(1).id()).isEqualTo(f.getFileName() + ":3");
        assertThat(open(f, Map.of("usage", "privatetest")).label(0)).isEqualTo(4);
        assertThat(open(f, Map.of("usage", "all")).size()).isEqualTo(5);
        assertThat(Fer2013Csv.read(f, BadInput.of(Params.defaults(List.of(BadInput.OPTION))))
                        .usages())
                .containsExactly(Map.entry("Training", 3), Map.entry("PublicTest", 1), Map.entry("PrivateTest", 1));
        assertThatThrownBy(() -> open(f, Map.of("usage", "Validation")))
                .hasMessageContaining("no rows with Usage 'Validation'")
                .hasMessageContaining("PublicTest=1");
        assertThat(open(f, Map.of()).fingerprint())
                .isEqualTo(train.fingerprint())
                .isNotEqualTo(open(f, Map.of("usage", "all")).fingerprint());
    }

    @Test
    void columnsMayComeInAnyOrderWithSpaces() throws IOException {
        Path f = csv(
                "emotion, Usage, pixels",
                List.of("3, Training, " + pixels(0, 2304), "6,PublicTest,\"" + pixels(9, 2304) + "\""));
        assertThat(open(f, Map.of("usage", "all")).label(1)).isEqualTo(6);
        assertThat(open(f, Map.of("usage", "PublicTest"))
                        .get(0)
                        .image()
                        .getRaster()
                        .getSample(0, 0, 0))
                .isEqualTo(9);
    }

    @Test
    void badRowsAreNamedOrSkippedAndCounted() throws IOException {
        Path f = csv(
                "emotion,pixels,Usage",
                List.of(
                        "0," + pixels(0, 2304) + ",Training",
                        "1," + pixels(0, 2300) + ",Training",
                        "9," + pixels(0, 2304) + ",Training",
                        "2," + pixels(0, 2303) + " 256,Training",
                        "4," + pixels(0, 2304) + ",Training,extra"));
        assertThatThrownBy(() -> open(f, Map.of()))
                .hasMessageContaining(f.getFileName() + ":3: pixels must be 2304 values");
        Dataset d = open(f, Map.of("on_error", "skip"));
        assertThat(d.size()).isEqualTo(1);
        assertThat(d.describe()).contains("skipped 4 bad items", ":4: emotion must be 0 to 6, got '9'");
        assertThatThrownBy(() -> open(csv("label,image", List.of("0,1")), Map.of()))
                .hasMessageContaining(":1: expected a header with the columns emotion and pixels");
        assertThatThrownBy(() -> open(dir.resolve("absent.csv"), Map.of())).hasMessageContaining("absent.csv");
    }
}
