package org.attnfer.api;

import java.util.List;

/**
 * A named place of a backbone where modules go.
 *
 * @param name the hook name ({@code bottleneck.after_bn3})
 * @param kind whether modules are inserted there or replace a layer
 * @param stages the stages that have this hook (0 is the stem)
 * @param doc one sentence for help texts
 */
public record HookPoint(String name, HookKind kind, List<Integer> stages, String doc) {

    /** Copies the stage list. */
    public HookPoint {
        stages = List.copyOf(stages);
    }
}
