package org.attnfer.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The route policy with a timer whose figures the test sets: what it picks, keeps, rejects and forces. */
class RoutesTest {

    private static final ConvShape TRAIN =
            new ConvShape(true, Precision.FLOAT32, 32, 64, 64, 12, 12, 3, 1, 1, 1, 1, false, ConvShape.Caller.LAYER);
    private static final ConvShape INFER =
            new ConvShape(false, Precision.FLOAT32, 1, 64, 128, 12, 12, 1, 1, 0, 1, 1, false, ConvShape.Caller.LAYER);

    /** A timer that reports the time or fault the test gave each route, and counts its calls. */
    static final class FakeTiming extends RouteTiming {
        final Map<ConvRoute, RouteTiming.Result> results = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        FakeTiming time(ConvRoute r, double millis) {
            results.put(r, new Result(millis, null));
            return this;
        }

        FakeTiming fault(ConvRoute r, String why) {
            results.put(r, new Result(Double.NaN, why));
            return this;
        }

        @Override
        Result measure(ConvShape shape, ConvRoute route, double bestMillis) {
            calls.add(shape.key() + " " + route.id());
            return results.getOrDefault(route, new Result(1000, null));
        }
    }

    private static Routes policy(Path cache, FakeTiming timing) {
        return new Routes(Routes.Forced.AUTO, true, cache, timing);
    }

    @Test
    void theFastestRouteThatComputesRightIsChosenAndKept(@TempDir Path dir) {
        Path cache = dir.resolve("routes.json");
        FakeTiming timing = new FakeTiming()
                .time(ConvRoute.ONEDNN, 2.0)
                .time(ConvRoute.GEMM, 1.0)
                .time(ConvRoute.PREPACKED, 0.5)
                .fault(ConvRoute.PRODUCT, "output off by 0.4 of its largest value")
                .time(ConvRoute.PLAIN, 0.9)
                .time(ConvRoute.SLOW, 3.0);
        Routes routes = policy(cache, timing);
        assertThat(routes.route(TRAIN)).isEqualTo(ConvRoute.GEMM);
        // the faulty product would have been fastest of all
        timing.time(ConvRoute.PREPACKED, 2.0);
        assertThat(routes.route(INFER)).isEqualTo(ConvRoute.PLAIN);
        assertThat(routes.route(TRAIN)).isEqualTo(ConvRoute.GEMM);
        assertThat(timing.calls).hasSize(3 + 4);
        Routes.Decision d = routes.decisions().get(1);
        assertThat(d.reason()).isEqualTo(Routes.Reason.MEASURED);
        assertThat(d.faults()).containsOnlyKeys(ConvRoute.PRODUCT);
        assertThat(d.millis()).containsOnlyKeys(ConvRoute.PREPACKED, ConvRoute.PLAIN, ConvRoute.SLOW);

        // another process on the machine reads the decisions instead of measuring
        FakeTiming none = new FakeTiming();
        Routes later = policy(cache, none);
        assertThat(later.route(TRAIN)).isEqualTo(ConvRoute.GEMM);
        assertThat(later.route(INFER)).isEqualTo(ConvRoute.PLAIN);
        assertThat(none.calls).isEmpty();
        assertThat(later.decisions()).extracting(Routes.Decision::reason).containsOnly(Routes.Reason.CACHED);
        assertThat(later.summary()).isEqualTo("gemm 1, plain 1");
    }

    @Test
    void aDecisionAnotherProcessStoredFirstHolds(@TempDir Path dir) {
        Path cache = dir.resolve("routes.json");
        Routes first =
                policy(cache, new FakeTiming().time(ConvRoute.ONEDNN, 1.0).time(ConvRoute.GEMM, 2.0));
        // the second process started before the first stored its decision, so it measures too, differently
        Routes second =
                policy(cache, new FakeTiming().time(ConvRoute.ONEDNN, 2.0).time(ConvRoute.GEMM, 1.0));
        assertThat(first.route(TRAIN)).isEqualTo(ConvRoute.ONEDNN);
        assertThat(second.route(TRAIN)).isEqualTo(ConvRoute.ONEDNN);
        assertThat(second.decisions().get(0).reason()).isEqualTo(Routes.Reason.CACHED);
    }

    @Test
    void aSettingForcesTheTrainingRouteAndFixedTakesTheFirstCandidate(@TempDir Path dir) {
        FakeTiming timing = new FakeTiming();
        Routes gemm = new Routes(Routes.Forced.GEMM, true, dir.resolve("a.json"), timing);
        assertThat(gemm.route(TRAIN)).isEqualTo(ConvRoute.GEMM);
        ConvShape grouped =
                new ConvShape(true, Precision.FLOAT32, 2, 64, 64, 6, 6, 3, 1, 1, 1, 2, false, ConvShape.Caller.LAYER);
        assertThat(gemm.route(grouped)).as("no product for groups").isEqualTo(ConvRoute.ONEDNN);
        ConvShape bf16 =
                new ConvShape(true, Precision.BFLOAT16, 2, 64, 64, 6, 6, 3, 1, 1, 1, 1, false, ConvShape.Caller.LAYER);
        assertThat(new Routes(Routes.Forced.ONEDNN, true, null, timing).route(bf16))
                .isEqualTo(ConvRoute.ONEDNN_BF16);
        assertThat(gemm.decisions().get(0).reason()).isEqualTo(Routes.Reason.FORCED);
        assertThat(timing.calls).isEmpty();
        // inference is not forced: it is measured
        assertThat(gemm.route(INFER)).isIn(INFER.candidates());
        assertThat(timing.calls).isNotEmpty();

        FakeTiming unused = new FakeTiming();
        Routes fixed = new Routes(Routes.Forced.AUTO, false, dir.resolve("b.json"), unused);
        assertThat(fixed.route(TRAIN)).isEqualTo(ConvRoute.ONEDNN);
        assertThat(fixed.route(INFER)).isEqualTo(ConvRoute.PREPACKED);
        assertThat(unused.calls).isEmpty();
        assertThat(fixed.decisions()).extracting(Routes.Decision::reason).containsOnly(Routes.Reason.FIXED);
    }

    @Test
    void aRouteWhoseTimingKilledTheProcessIsNotUsedAgain(@TempDir Path dir) throws IOException {
        Path cache = dir.resolve("routes.json");
        // what a process leaves when it dies while it times GEMM: a marker with a pid that is gone
        long gone = ProcessHandle.current().pid() + 1_000_000;
        Files.writeString(
                dir.resolve("routes.json.probe-" + gone),
                TRAIN.key() + "\ngemm\n" + new ObjectMapper().writeValueAsString(TRAIN) + "\n");
        FakeTiming timing = new FakeTiming().time(ConvRoute.ONEDNN, 2.0).time(ConvRoute.GEMM, 1.0);
        Routes routes = policy(cache, timing);
        assertThat(dir.resolve("routes.json.probe-" + gone)).doesNotExist();
        assertThat(routes.route(TRAIN)).isEqualTo(ConvRoute.ONEDNN);
        assertThat(timing.calls).containsExactly(TRAIN.key() + " onednn", TRAIN.key() + " gemm_im2col");
        assertThat(routes.decisions().get(0).faults()).containsKey(ConvRoute.GEMM);
        // and the marker of this process is gone once it is done
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".probe-"));
        }
    }

    @Test
    void anUnreadableCacheIsMeasuredAgain(@TempDir Path dir) throws IOException {
        Path cache = dir.resolve("routes.json");
        Files.writeString(cache, "{ not json");
        FakeTiming timing = new FakeTiming().time(ConvRoute.ONEDNN, 1.0).time(ConvRoute.GEMM, 2.0);
        assertThat(policy(cache, timing).route(TRAIN)).isEqualTo(ConvRoute.ONEDNN);
        assertThat(Routes.read(cache)).containsKey(TRAIN.key());
    }

    @Test
    void aShapeNoRouteComputesRightStopsWithTheFaults(@TempDir Path dir) {
        FakeTiming timing = new FakeTiming()
                .fault(ConvRoute.ONEDNN, "NaN")
                .fault(ConvRoute.GEMM, "output off by 1")
                .fault(ConvRoute.GEMM_IM2COL, "input gradient off by 1");
        assertThatThrownBy(() -> policy(dir.resolve("r.json"), timing).route(TRAIN))
                .hasMessageStartingWith("no convolution route computes " + TRAIN + " right on this machine")
                .hasMessageContaining("NaN");
    }

    @Test
    void routesAreNamedInSettings() {
        assertThat(ConvRoute.of("onednn_bf16")).isEqualTo(ConvRoute.ONEDNN_BF16);
        assertThatThrownBy(() -> ConvRoute.of("cudnn"))
                .hasMessage(
                        "no convolution route 'cudnn' (known: onednn, gemm, gemm_im2col, onednn_bf16, gemm_bf16, gemm_select_bf16, "
                                + "prepacked, prepacked_bf16, product, plain, slow)");
        assertThat(TRAIN.key()).isEqualTo("train float32 32x64x12x12 -> 64 k3 s1 p1 d1 g1");
        assertThat(INFER.candidates())
                .containsExactly(ConvRoute.PREPACKED, ConvRoute.PRODUCT, ConvRoute.PLAIN, ConvRoute.SLOW);
    }
}
