package io.cumulus.embedded;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction protocol the brokers Cumulus starts speak: version 1 (KIP-890's server-side
 * verification, with the client adding partitions to a transaction itself), not version 2. Under
 * version 2 a transaction's first write to a partition is refused while the broker still writes the
 * previous transaction's commit markers there, the writes in flight behind it are refused out of
 * sequence, and the producer retries them all after its retry backoff (100 ms, doubling up to 1 s):
 * the reconciler commits every few tens of milliseconds, so that wait was most of its time and the
 * cause of its latency swinging from run to run. Under version 1 the producer asks to add the
 * partitions first and retries that one request after 20 ms. Exactly-once holds under both
 * (docs/decisions/0021-transaction-protocol-version-1.md).
 */
public final class TransactionVersion {
    private static final Logger log = LoggerFactory.getLogger(TransactionVersion.class);
    public static final String FEATURE = "transaction.version";
    public static final short LEVEL = 1;

    private TransactionVersion() {
    }

    /**
     * Sets the cluster's finalized transaction version to {@link #LEVEL} when it is another one (a
     * log directory formatted before this setting): a downgrade of this feature needs no metadata change.
     */
    public static void settle(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            FinalizedVersionRange current = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS)
                    .finalizedFeatures().get(FEATURE);
            if (current != null && current.maxVersionLevel() == LEVEL) {
                return;
            }
            admin.updateFeatures(Map.of(FEATURE, new FeatureUpdate(LEVEL, FeatureUpdate.UpgradeType.SAFE_DOWNGRADE)),
                    new UpdateFeaturesOptions()).all().get(30, TimeUnit.SECONDS);
            log.info("kafka transaction version set feature={} from={} to={}", FEATURE,
                    current == null ? "none" : current.maxVersionLevel(), LEVEL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting Kafka's transaction version", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot set Kafka's " + FEATURE + " to " + LEVEL + ": " + e.getMessage(), e);
        }
    }
}
