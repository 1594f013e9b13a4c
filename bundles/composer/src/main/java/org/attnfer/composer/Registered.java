package org.attnfer.composer;

/**
 * A registered service with the bundle that supplies it.
 *
 * @param service the service
 * @param bundle the bundle's symbolic name ({@code org.attnfer.attention-ca}), or {@code built-in}
 * @param version the bundle's version
 */
public record Registered<T>(T service, String bundle, String version) {

    /** {@code bundle version}, for messages. */
    public String origin() {
        return bundle + " " + version;
    }
}
