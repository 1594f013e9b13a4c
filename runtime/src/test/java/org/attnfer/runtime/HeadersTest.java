package org.attnfer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadersTest {

    @Test
    void quotedCommasAndDirectivesAreHandled() {
        Map<String, Map<String, String>> h =
                Headers.parse("a.b;version=\"1.2.0\";uses:=\"x.y,z.w\",c.d;e.f;version=2.0,g");
        assertThat(h.keySet()).containsExactly("a.b", "c.d", "e.f", "g");
        assertThat(h.get("a.b")).containsExactly(Map.entry("version", "1.2.0"), Map.entry("uses:", "x.y,z.w"));
        assertThat(h.get("c.d")).containsEntry("version", "2.0");
        assertThat(h.get("g")).isEmpty();
    }

    @Test
    void commandIsTheFirstNonOption() {
        assertThat(Launcher.command(new String[] {"--verbose", "run", "x.yaml"}))
                .isEqualTo("run");
        assertThat(Launcher.command(new String[] {"--help"})).isEmpty();
    }
}
