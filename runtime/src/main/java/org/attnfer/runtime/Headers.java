package org.attnfer.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses OSGi manifest headers such as {@code Export-Package}, which may quote commas. */
public final class Headers {

    private Headers() {}

    /**
     * Splits a header into clauses: the first path of each clause, with its attributes and
     * directives (a directive's key keeps its colon: {@code resolution:}), quotes removed.
     */
    public static Map<String, Map<String, String>> parse(String header) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (String clause : split(header, ',')) {
            List<String> parts = split(clause, ';');
            Map<String, String> attrs = new LinkedHashMap<>();
            List<String> paths = new ArrayList<>();
            for (String part : parts) {
                int eq = part.indexOf('=');
                if (eq < 0) {
                    paths.add(part.trim());
                } else {
                    attrs.put(
                            part.substring(0, eq).trim(),
                            part.substring(eq + 1).trim().replace("\"", ""));
                }
            }
            paths.forEach(p -> out.put(p, attrs));
        }
        return out;
    }

    private static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == sep && !quoted) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        out.removeIf(String::isBlank);
        return out;
    }
}
