package io.cumulus.ingest.syncstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

class FeedBucketsTest {
    private final FeedBuckets buckets = new FeedBuckets(4);

    /** A feed held in buckets as Cassandra holds it, counting the partitions each page reads. */
    private static final class BucketedFeed implements FeedBuckets.BucketQuery<Long> {
        private final NavigableSet<Long> seqs = new TreeSet<>();
        private final List<Long> bucketsRead = new ArrayList<>();

        BucketedFeed(long... seqs) {
            for (long s : seqs) {
                this.seqs.add(s);
            }
        }

        @Override
        public List<Long> rows(long bucket, long afterSeq, int limit) {
            bucketsRead.add(bucket);
            return seqs.stream().filter(s -> s / 4 == bucket && s > afterSeq).limit(limit).toList();
        }
    }

    @Test
    void aSeqBelongsToTheBucketOfItsRange() {
        assertThat(buckets.bucketOf(0)).isZero();
        assertThat(buckets.bucketOf(3)).isZero();
        assertThat(buckets.bucketOf(4)).isEqualTo(1);
        assertThat(new FeedBuckets(4096).bucketOf(4095)).isZero();
        assertThat(new FeedBuckets(4096).bucketOf(4096)).isEqualTo(1);
    }

    @Test
    void aPageCrossesBucketBoundariesUntilItIsFull() {
        BucketedFeed feed = new BucketedFeed(LongStream.rangeClosed(1, 20).toArray());

        assertThat(buckets.page(2, 20, 7, feed)).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(feed.bucketsRead).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aPageStopsAtTheHeadsBucket() {
        BucketedFeed feed = new BucketedFeed(LongStream.rangeClosed(1, 10).toArray());

        assertThat(buckets.page(0, 10, 100, feed)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(feed.bucketsRead).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aReadAtTheHeadReadsNothing() {
        BucketedFeed feed = new BucketedFeed(1, 2, 3);

        assertThat(buckets.page(3, 3, 10, feed)).isEmpty();
        assertThat(buckets.page(0, 0, 10, feed)).isEmpty();
        assertThat(feed.bucketsRead).isEmpty();
    }

    @Test
    void aPageStartsInTheBucketAfterTheCursor() {
        BucketedFeed feed = new BucketedFeed(LongStream.rangeClosed(1, 12).toArray());

        assertThat(buckets.page(7, 12, 3, feed)).containsExactly(8L, 9L, 10L);
        assertThat(feed.bucketsRead).containsExactly(2L);
    }

    @Test
    void anEmptyBucketIsPassedOverNotTakenForTheEnd() {
        BucketedFeed feed = new BucketedFeed(1, 2, 13, 14);

        assertThat(buckets.page(2, 14, 10, feed)).containsExactly(13L, 14L);
        assertThat(feed.bucketsRead).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void aBucketHoldsAtLeastOneSeq() {
        assertThatThrownBy(() -> new FeedBuckets(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
