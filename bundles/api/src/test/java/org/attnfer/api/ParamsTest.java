package org.attnfer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {

    private static final List<ParamSpec> SPECS = List.of(
            ParamSpec.ofInt("reduction", 16, "channel reduction ratio").atLeast(1),
            ParamSpec.ofDouble("lambda", 1e-4, "regulariser").greaterThan(0),
            ParamSpec.ofBoolean("bias", true, "MLP biases"),
            ParamSpec.ofChoice("combine", List.of("product", "sum"), "branch combination"),
            ParamSpec.ofInt("k_size", null, "kernel override").atLeast(1).atMost(9));

    @Test
    void defaultsFillAbsentKeysAndOptionalStaysAbsent() {
        Params p = Params.validate(SPECS, Map.of("reduction", 8));
        assertThat(p.getInt("reduction")).isEqualTo(8);
        assertThat(p.getDouble("lambda")).isEqualTo(1e-4);
        assertThat(p.getBoolean("bias")).isTrue();
        assertThat(p.getString("combine")).isEqualTo("product");
        assertThat(p.has("k_size")).isFalse();
        assertThat(p.values().keySet()).containsExactly("reduction", "lambda", "bias", "combine");
    }

    @Test
    void valuesAreCoercedFromTextAndWholeNumbers() {
        Params p = Params.validate(SPECS, Map.of("reduction", "4", "lambda", 1, "bias", "false", "k_size", 3.0));
        assertThat(p.getInt("reduction")).isEqualTo(4);
        assertThat(p.getDouble("lambda")).isEqualTo(1.0);
        assertThat(p.getBoolean("bias")).isFalse();
        assertThat(p.getInt("k_size")).isEqualTo(3);
    }

    @Test
    void badValuesNameTheKeyAndTheRule() {
        assertThatThrownBy(() -> Params.validate(SPECS, Map.of("reduction", 0)))
                .hasMessage("reduction must be ≥ 1, got 0");
        assertThatThrownBy(() -> Params.validate(SPECS, Map.of("lambda", -0.1)))
                .hasMessage("lambda must be > 0, got -0.1");
        assertThatThrownBy(() -> Params.validate(SPECS, Map.of("lambda", 0))).hasMessage("lambda must be > 0, got 0");
        assertThatThrownBy(() -> Params.validate(SPECS, Map.of("k_size", 11)))
                .hasMessage("k_size must be ≥ 1 and ≤ 9, got 11");
        assertThatThrownBy(() -> Params.validate(SPECS, Map.of("reduction", 2.5)))
                .hasMessage("reduction must be an integer, got 2.5");
        assertThatThrownBy(() -> Params.validate(SPECS, Map.of("bias", "yes")))
                .hasMessage("bias must be a boolean, got 'yes'");
        assertThatThrownBy(() -> Params.validate(SPECS, Map.of("combine", "max")))
                .hasMessage("combine must be one of product, sum, got max");
        assertThatThrownBy(() -> Params.validate(SPECS, Map.of("reductoin", 4)))
                .hasMessage("unknown parameter 'reductoin' (known: bias, combine, k_size, lambda, reduction)");
        assertThatThrownBy(() -> Params.validate(List.of(), Map.of("x", 1)))
                .hasMessage("unknown parameter 'x' (this takes no parameters)");
    }

    @Test
    void helpLinesDescribeTypeDefaultAndRange() {
        assertThat(SPECS.get(0).describe()).isEqualTo("reduction (integer, default 16, ≥ 1): channel reduction ratio");
        assertThat(SPECS.get(3).describe())
                .isEqualTo("combine (choice of product|sum, default product): branch combination");
        assertThat(SPECS.get(4).describe()).isEqualTo("k_size (integer, optional, ≥ 1 and ≤ 9): kernel override");
    }

    @Test
    void moduleIdsAreChecked() {
        assertThatThrownBy(() -> new ModuleInfo("Sim-AM", "t", "p", "stem", List.of(), List.of()))
                .hasMessageContaining("module id 'Sim-AM'");
    }
}
