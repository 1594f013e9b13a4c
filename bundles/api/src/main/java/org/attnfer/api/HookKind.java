package org.attnfer.api;

/** How a hook takes modules. */
public enum HookKind {
    /** Modules are applied one after the other, keeping the shape. */
    INSERT,
    /** One module replaces the backbone's own layer there. */
    REPLACE
}
