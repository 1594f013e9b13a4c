package org.attnfer.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/** YAML output of commands (manifests). */
final class Yaml {

    private static final ObjectMapper MAPPER =
            new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    private Yaml() {}

    /** The value as a YAML document. */
    static String text(Object value) throws JsonProcessingException {
        return MAPPER.writeValueAsString(value);
    }
}
