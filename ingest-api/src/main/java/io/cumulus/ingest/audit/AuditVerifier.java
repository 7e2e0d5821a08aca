package io.cumulus.ingest.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import io.cumulus.ingest.IngestDatabase;

/**
 * Walks audit chains from the first entry to the head and reports, per account, the first place
 * where the stored entries are not the chain that was written ({@link ChainProblem}). Each account is
 * read in one repeatable-read snapshot, so appends made meanwhile are either wholly in it (entry and
 * head) or not at all; entries are read a page at a time.
 */
public final class AuditVerifier {
    private static final Logger log = LoggerFactory.getLogger(AuditVerifier.class);
    private static final int PAGE = 500;

    private final AuditEntries entries;
    private final TransactionTemplate snapshot;

    public AuditVerifier(IngestDatabase db) {
        this.entries = new AuditEntries(db);
        this.snapshot = new TransactionTemplate(db.transactions().getTransactionManager());
        snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        snapshot.setReadOnly(true);
    }

    /** Every account's chain: each account row's, and any chain whose account row is gone. */
    public AuditReport verifyAll() {
        List<AccountVerification> results = new ArrayList<>();
        for (Map.Entry<UUID, Optional<String>> account : entries.accounts()) {
            results.add(verify(account.getKey(), account.getValue().orElse(null)));
        }
        return logged(AuditReport.of(results));
    }

    /** The chain of the account of that username (case as accounts compare it); empty when there is no such account. */
    public Optional<AuditReport> verifyUser(String username) {
        return entries.accountNamed(username).map(a -> logged(AuditReport.of(List.of(verify(a.getKey(), a.getValue())))));
    }

    /** One account's chain. */
    public AccountVerification verify(UUID accountId, String username) {
        return snapshot.execute(tx -> walk(accountId, username));
    }

    private AccountVerification walk(UUID accountId, String username) {
        Optional<AuditEntries.Head> head = entries.head(accountId);
        long expected = 1;
        byte[] prev = AuditHash.GENESIS;
        List<AuditEntry> page;
        do {
            page = entries.after(accountId, expected - 1, PAGE);
            for (AuditEntry e : page) {
                long checked = expected - 1;
                if (e.seq() != expected) {
                    return AccountVerification.broken(accountId, username, checked, expected, ChainProblem.GAP,
                            "entry " + expected + " is missing (the next stored entry is " + e.seq() + "): it was removed");
                }
                if (!Arrays.equals(e.prevHash(), prev)) {
                    return AccountVerification.broken(accountId, username, checked, expected, ChainProblem.PREV_MISMATCH,
                            "entry " + expected + " does not carry the hash of entry " + (expected - 1)
                                    + ": entries were reordered or one was put in");
                }
                if (!e.hashMatchesContent()) {
                    return AccountVerification.broken(accountId, username, checked, expected, ChainProblem.HASH_MISMATCH,
                            "entry " + expected + " does not match its hash: it was edited");
                }
                prev = e.hash();
                expected++;
            }
        } while (page.size() == PAGE);
        long last = expected - 1;
        if (head.isEmpty()) {
            return last == 0 ? AccountVerification.intact(accountId, username, 0)
                    : AccountVerification.broken(accountId, username, last, last + 1, ChainProblem.HEAD_MISMATCH,
                    "the chain has " + last + " entries but no head: the head was removed, so entries from " + (last + 1)
                            + " on may have been removed unseen");
        }
        long headSeq = head.get().lastSeq();
        if (headSeq > last) {
            return AccountVerification.broken(accountId, username, last, last + 1, ChainProblem.HEAD_MISMATCH,
                    (headSeq == last + 1 ? "entry " + headSeq + " is" : "entries " + (last + 1) + " to " + headSeq + " are")
                            + " missing at the end of the chain: removed");
        }
        if (headSeq < last) {
            return AccountVerification.broken(accountId, username, headSeq, headSeq + 1, ChainProblem.HEAD_MISMATCH,
                    "entries after " + headSeq + " are past the head: they were put in outside the audit log");
        }
        if (!Arrays.equals(head.get().lastHash(), prev)) {
            return AccountVerification.broken(accountId, username, Math.max(0, last - 1), Math.max(1, last), ChainProblem.HEAD_MISMATCH,
                    "entry " + last + " is not the last entry the head recorded: it was replaced");
        }
        Long rebuiltAfter = head.get().rebuiltAfter();
        if (rebuiltAfter != null) {
            return AccountVerification.broken(accountId, username, rebuiltAfter, rebuiltAfter + 1, ChainProblem.HEAD_MISMATCH,
                    "the head was removed and rebuilt after entry " + rebuiltAfter + ": entries from " + (rebuiltAfter + 1)
                            + " on may have been removed unseen");
        }
        return AccountVerification.intact(accountId, username, last);
    }

    private static AuditReport logged(AuditReport report) {
        report.results().stream().filter(r -> !r.intact()).forEach(r -> log.warn(
                "audit chain broken accountId={} username={} firstBadSeq={} problem={}", r.accountId(), r.username(),
                r.firstBadSeq(), r.problem()));
        log.info("audit chains verified accounts={} tampered={}", report.accounts(), report.tampered());
        return report;
    }
}
