package org.attnfer.nn;

import java.util.List;

/**
 * The outcome of loading a state dict.
 *
 * @param loaded the keys whose values were copied
 * @param missing keys of the model that the file lacks
 * @param unexpected keys of the file that the model lacks
 * @param mismatched keys present in both with different shapes ({@code key [file] ≠ [model]})
 */
public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected, List<String> mismatched) {

    /** Copies the lists. */
    public LoadReport {
        loaded = List.copyOf(loaded);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        mismatched = List.copyOf(mismatched);
    }

    /** Whether every key matched. */
    public boolean clean() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    /** A summary naming the offending keys (at most 10 per kind). */
    public String describe() {
        StringBuilder sb = new StringBuilder().append(loaded.size()).append(" tensors loaded");
        section(sb, "missing from the file", missing);
        section(sb, "unexpected in the file", unexpected);
        section(sb, "shape mismatch", mismatched);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String what, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        sb.append("; ").append(keys.size()).append(' ').append(what).append(": ");
        sb.append(String.join(", ", keys.subList(0, Math.min(10, keys.size()))));
        if (keys.size() > 10) {
            sb.append(", …");
        }
    }
}
