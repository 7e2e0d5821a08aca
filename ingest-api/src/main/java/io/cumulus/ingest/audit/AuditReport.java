package io.cumulus.ingest.audit;

import java.util.List;

/** What {@code GET /v1/admin/audit/verify} answers: one verification per account, and whether all are intact. */
public record AuditReport(boolean intact, int accounts, int tampered, List<AccountVerification> results) {

    static AuditReport of(List<AccountVerification> results) {
        int tampered = (int) results.stream().filter(r -> !r.intact()).count();
        return new AuditReport(tampered == 0, results.size(), tampered, List.copyOf(results));
    }
}
