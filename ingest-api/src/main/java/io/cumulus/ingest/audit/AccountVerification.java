package io.cumulus.ingest.audit;

import java.util.UUID;

/**
 * The verification of one account's audit chain: how many entries were checked and found sound, and
 * when the chain is broken, the first bad seq, the {@link ChainProblem} (as its slug) and a sentence for
 * the operator. {@code username} is null for a chain whose account row is gone; the last three are
 * null for an intact chain.
 */
public record AccountVerification(UUID accountId, String username, long checked, boolean intact, Long firstBadSeq,
                                  String problem, String detail) {

    static AccountVerification intact(UUID accountId, String username, long checked) {
        return new AccountVerification(accountId, username, checked, true, null, null, null);
    }

    static AccountVerification broken(UUID accountId, String username, long checked, long firstBadSeq, ChainProblem problem,
                                      String detail) {
        return new AccountVerification(accountId, username, checked, false, firstBadSeq, problem.slug(), detail);
    }
}
