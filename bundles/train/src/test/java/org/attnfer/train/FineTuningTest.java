package org.attnfer.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FineTuningTest {

    private static final Set<String> MODULES = Set.of("layer1.0.ca.fc1.weight", "features.3.ca.fc1.weight");

    @ParameterizedTest
    @CsvSource({
        "conv1.weight, stem, true",
        "bn1.running_mean, stem, true",
        "layer1.0.conv1.weight, stem, false",
        "features.0.0.weight, stem, true",
        "features.0.1.bias, stem, true",
        "features.1.conv.0.0.weight, stem, false",
        "features.10.conv.1.0.weight, stem, false",
        "fc.weight, head, true",
        "classifier.1.weight, head, true",
        "classifier.2.bias, head, true",
        "features.3.ca.fc1.weight, modules, true",
        "features.3.ca.fc1.weight, backbone, false",
        "features.3.conv.1.0.weight, backbone, true",
        "layer4.2.bn3.weight, layer4, true",
        "layer4.2.bn3.weight, layer4.2, true",
        "layer4.2.bn3.weight, layer4.1, false"
    })
    void partsMeanTheSameOnEveryFamily(String name, String part, boolean expected) {
        assertThat(FineTuning.inPart(name, part, MODULES)).isEqualTo(expected);
    }
}
