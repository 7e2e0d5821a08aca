package io.cumulus.ingest.audit;

/**
 * Why an account's audit chain does not verify, by the first place it breaks. The JSON names are
 * what {@code GET /v1/admin/audit/verify} answers in {@code problem}.
 */
public enum ChainProblem {
    /** An entry's hash does not match its content: the entry was edited. */
    HASH_MISMATCH("hash-mismatch"),
    /** A seq is missing: the entry was removed. */
    GAP("gap"),
    /** The stored entries end before (or after) the head, or at another hash: the last entries were removed or replaced. */
    HEAD_MISMATCH("head-mismatch"),
    /** An entry does not carry its predecessor's hash: entries were reordered, or one was put in. */
    PREV_MISMATCH("prev-mismatch");

    private final String slug;

    ChainProblem(String slug) {
        this.slug = slug;
    }

    public String slug() {
        return slug;
    }
}
