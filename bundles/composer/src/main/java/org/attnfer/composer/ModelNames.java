package org.attnfer.composer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses model shorthands: a backbone followed by modules, each at its default hook unless told.
 *
 * <pre>
 * model   := backbone { '+' module }
 * module  := id [ '(' key '=' value { ',' key '=' value } ')' ] [ '@' hook ] [ '[' stage { ',' stage } ']' ]
 * </pre>
 *
 * Examples: {@code resnet50+simam+ca}, {@code resnet50+eca(k_size=3)},
 * {@code resnet50+simam@bottleneck.after_conv2}, {@code resnet18+ca[3,4]}. Names are case-insensitive.
 */
public final class ModelNames {

    private ModelNames() {}

    /**
     * Parses a shorthand.
     *
     * @throws IllegalArgumentException naming the model and the position of the problem
     */
    public static ModelSpec parse(String text) {
        return new Parser(text).model();
    }

    private static final class Parser {
        private final String text;
        // without white space around punctuation; values keep their case, names do not
        private final String compact;
        private final String s;
        private int pos;

        Parser(String text) {
            this.text = text;
            this.compact = text.trim().replaceAll("\\s*([+(),=@\\[\\]])\\s*", "$1");
            this.s = compact.toLowerCase(Locale.ROOT);
        }

        ModelSpec model() {
            String backbone = word("a backbone name");
            List<ModuleUse> modules = new ArrayList<>();
            while (pos < s.length()) {
                expect('+');
                modules.add(module());
            }
            return new ModelSpec(backbone, null, modules);
        }

        private ModuleUse module() {
            String id = word("a module id");
            Map<String, Object> params = new LinkedHashMap<>();
            String hook = null;
            List<Integer> stages = new ArrayList<>();
            if (peek('(')) {
                pos++;
                do {
                    String key = word("a parameter name");
                    expect('=');
                    int start = pos;
                    while (pos < s.length() && s.charAt(pos) != ',' && s.charAt(pos) != ')') {
                        pos++;
                    }
                    if (pos == start) {
                        throw error("expected a value after '" + key + "='");
                    }
                    params.put(key, compact.substring(start, pos));
                } while (accept(','));
                expect(')');
            }
            if (accept('@')) {
                int start = pos;
                while (pos < s.length()
                        && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '.')) {
                    pos++;
                }
                if (pos == start) {
                    throw error("expected a hook name after '@'");
                }
                hook = s.substring(start, pos);
            }
            if (accept('[')) {
                do {
                    int start = pos;
                    while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                        pos++;
                    }
                    if (pos == start) {
                        throw error("expected a stage number");
                    }
                    stages.add(Integer.parseInt(s.substring(start, pos)));
                } while (accept(','));
                expect(']');
            }
            return new ModuleUse(id, hook, stages, params);
        }

        private String word(String what) {
            int start = pos;
            while (pos < s.length()
                    && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_' || s.charAt(pos) == '-')) {
                pos++;
            }
            if (pos == start) {
                throw error("expected " + what);
            }
            return s.substring(start, pos);
        }

        private boolean peek(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        private boolean accept(char c) {
            if (peek(c)) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!accept(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private IllegalArgumentException error(String message) {
            String at = pos < s.length() ? "at '" + s.substring(pos) + "'" : "at the end";
            return new IllegalArgumentException("model '" + text + "': " + message + " " + at);
        }
    }
}
