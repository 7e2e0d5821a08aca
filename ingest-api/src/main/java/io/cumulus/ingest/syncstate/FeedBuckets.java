package io.cumulus.ingest.syncstate;

import java.util.ArrayList;
import java.util.List;

/**
 * How a feed page is read from a feed split into buckets of {@code size} consecutive seqs
 * ({@code bucket = seq / size}, one Cassandra partition each): start at the bucket of
 * {@code after + 1}, take the rows above {@code after} in seq order, and go on to the next bucket
 * until the page is full or the bucket of the namespace's head has been read. A bucket with no rows
 * (seqs never given out) is passed over, never mistaken for the end of the feed.
 */
public record FeedBuckets(long size) {

    /** The rows of one bucket with a seq above {@code afterSeq}, in seq order, at most {@code limit}. */
    @FunctionalInterface
    public interface BucketQuery<T> {
        List<T> rows(long bucket, long afterSeq, int limit);
    }

    public FeedBuckets {
        if (size < 1) {
            throw new IllegalArgumentException("a feed bucket holds at least one seq, not " + size);
        }
    }

    public long bucketOf(long seq) {
        return seq / size;
    }

    /** Up to {@code limit} rows with a seq in {@code (afterSeq, headSeq]} and beyond in their last bucket, in seq order. */
    public <T> List<T> page(long afterSeq, long headSeq, int limit, BucketQuery<T> query) {
        List<T> page = new ArrayList<>();
        if (headSeq <= afterSeq || limit < 1) {
            return page;
        }
        long last = bucketOf(headSeq);
        for (long bucket = bucketOf(afterSeq + 1); bucket <= last && page.size() < limit; bucket++) {
            page.addAll(query.rows(bucket, afterSeq, limit - page.size()));
        }
        return page;
    }
}
