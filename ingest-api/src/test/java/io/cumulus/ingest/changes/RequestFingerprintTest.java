package io.cumulus.ingest.changes;

import static io.cumulus.ingest.changes.ChangeJson.CHUNK_A;
import static io.cumulus.ingest.changes.ChangeJson.aBatch;
import static io.cumulus.ingest.changes.ChangeJson.aChange;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RequestFingerprintTest {
    private static final String D1 = "1d1d1d1d-0000-4000-8000-000000000001";
    private static final String D2 = "2d2d2d2d-0000-4000-8000-000000000002";

    private static final String NS = "3f0c8a53-6b5e-4a53-9c1e-2f7a1b0c9d11";

    private static String fingerprint(String json) {
        return RequestFingerprint.sha256(ChangeBatchParser.parse(ChangeJson.JSON.readTree(json), D1));
    }

    @Test
    void formattingMemberOrderAndIgnoredMembersDoNotChangeTheFingerprint() {
        // given one request written two ways
        String compact = "{\"namespaceId\":\"" + NS + "\",\"changes\":[{\"fileId\":\"f\",\"path\":\"a.txt\",\"op\":\"UPSERT\","
                + "\"vector\":{\"" + D1 + "\":1,\"" + D2 + "\":2},\"chunks\":[{\"id\":\"" + CHUNK_A + "\",\"size\":3}],\"size\":3}]}";
        String reordered = "{ \"changes\": [ { \"size\": 3, \"chunks\": [ { \"size\": 3, \"id\": \"" + CHUNK_A + "\" } ],"
                + " \"vector\": { \"" + D2 + "\": 2, \"" + D1 + "\": 1 }, \"op\": \"UPSERT\", \"path\": \"a.txt\", \"fileId\": \"f\", \"client\": \"x\" } ],"
                + " \"namespaceId\": \"" + NS + "\" }";

        // then both have the same fingerprint
        assertThat(fingerprint(reordered)).isEqualTo(fingerprint(compact)).hasSize(64);
    }

    @Test
    void everyMeaningfulDifferenceChangesTheFingerprint() {
        // given a request and variants that each change one thing
        String base = aBatch(NS).with(aChange(D1)).json();
        Map<String, Object> otherVector = new LinkedHashMap<>(Map.of(D1, 2));

        // then each variant has its own fingerprint
        assertThat(fingerprint(aBatch(NS).with(aChange(D1).onPath("docs/b.txt")).json())).isNotEqualTo(fingerprint(base));
        assertThat(fingerprint(aBatch(NS).with(aChange(D1).fileId("other")).json())).isNotEqualTo(fingerprint(base));
        assertThat(fingerprint(aBatch(NS).with(aChange(D1).vector(otherVector)).json())).isNotEqualTo(fingerprint(base));
        assertThat(fingerprint(aBatch(NS).with(aChange(D1).chunks("c".repeat(64), 10)).json())).isNotEqualTo(fingerprint(base));
        assertThat(fingerprint(aBatch(NS).with(aChange(D1).set("modifiedAt", 5)).json())).isNotEqualTo(fingerprint(base));
        assertThat(fingerprint(aBatch(NS).with(aChange(D1).deleted()).json())).isNotEqualTo(fingerprint(base));
        assertThat(fingerprint(aBatch("6a1f37c2-9f6e-4c0b-8f55-0d2f5a0f9e01").with(aChange(D1)).json())).isNotEqualTo(fingerprint(base));
        assertThat(fingerprint(aBatch(NS).with(aChange(D1)).with(aChange(D1)).json())).isNotEqualTo(fingerprint(base));
    }
}
