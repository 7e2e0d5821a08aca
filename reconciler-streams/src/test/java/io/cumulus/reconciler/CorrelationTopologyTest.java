package io.cumulus.reconciler;

import static io.cumulus.reconciler.BatchBuilder.LAPTOP;
import static io.cumulus.reconciler.BatchBuilder.aBatch;
import static io.cumulus.reconciler.BatchBuilder.chunk;
import static io.cumulus.reconciler.BatchBuilder.vector;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cumulus.schemas.Correlation;
import io.cumulus.schemas.Topics;

/** The correlation id a change batch carries goes on every record derived from it, and nothing else does. */
class CorrelationTopologyTest {
    private static final String NS = "ns-1";
    private static final List<String> OUTPUTS = List.of(Topics.FILE_EVENTS, Topics.FILE_STATE, Topics.CHUNK_REFS,
            Topics.OUTCOMES);

    @TempDir
    Path stateDir;
    private ReconcilerDriver driver;

    @BeforeEach
    void startDriver() {
        driver = new ReconcilerDriver(stateDir);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void everyRecordDerivedFromABatchCarriesItsCorrelationIdAndNoOtherHeader() {
        // given a batch relayed with its correlation id and a header of no concern to the reconciler
        RecordHeaders headers = new RecordHeaders();
        headers.add(Correlation.HEADER, "req-42".getBytes(StandardCharsets.UTF_8));
        headers.add("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8));

        // when it is reconciled
        driver.submit(aBatch().in(NS).from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("hello")).build(),
                headers);

        // then each output record carries exactly the correlation id
        for (String topic : OUTPUTS) {
            List<TestRecord<byte[], byte[]>> records = driver.rawRecords(topic);
            assertThat(records).as(topic).isNotEmpty();
            for (TestRecord<byte[], byte[]> r : records) {
                Header[] all = r.headers().toArray();
                assertThat(all).as(topic).hasSize(1);
                assertThat(all[0].key()).isEqualTo(Correlation.HEADER);
                assertThat(new String(all[0].value(), StandardCharsets.UTF_8)).isEqualTo("req-42");
            }
        }
    }

    @Test
    void aBatchWithoutAValidCorrelationIdDerivesRecordsWithoutHeaders() {
        // given a batch without a correlation id, and one whose header is not a valid id
        RecordHeaders forged = new RecordHeaders();
        forged.add(Correlation.HEADER, "two words\n\"quoted\"".getBytes(StandardCharsets.UTF_8));
        driver.submit(aBatch().in(NS).from(LAPTOP).upsert("f1", "a.txt", vector("dev-laptop", 1), chunk("one")).build(),
                new RecordHeaders());
        driver.submit(aBatch().in(NS).from(LAPTOP).upsert("f2", "b.txt", vector("dev-laptop", 2), chunk("two")).build(),
                forged);

        // then what they derive carries no header at all
        for (String topic : OUTPUTS) {
            assertThat(driver.rawRecords(topic)).as(topic).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.headers().toArray()).as(topic).isEmpty());
        }
    }
}
