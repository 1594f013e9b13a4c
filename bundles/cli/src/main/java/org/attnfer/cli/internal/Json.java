package org.attnfer.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;

/** JSON output of commands, indented, one document per call. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    /** The value as indented JSON text, with a final newline. */
    static String text(Object value) throws JsonProcessingException {
        return MAPPER.writeValueAsString(value) + "\n";
    }

    static void print(PrintWriter out, Object value) throws Exception {
        out.println(MAPPER.writeValueAsString(value));
        out.flush();
    }
}
