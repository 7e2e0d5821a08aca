package io.cumulus.sync.vector;

/** How one version vector relates to another, seen from the first. */
public enum Causality {
    /** Both describe the same history. */
    EQUAL,
    /** The first has seen everything the second has, and more: it is newer. */
    DOMINATES,
    /** The second has seen everything the first has, and more: the first is older. */
    DOMINATED,
    /** Each has seen something the other has not: the edits were made independently. */
    CONCURRENT
}
