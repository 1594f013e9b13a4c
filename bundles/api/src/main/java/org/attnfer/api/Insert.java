package org.attnfer.api;

import ai.djl.nn.Block;

/**
 * A module instance to insert, with its name inside the network (its parameter-key prefix).
 *
 * @param name the child name ({@code ca}, {@code bam1})
 * @param block the module block
 */
public record Insert(String name, Block block) {}
