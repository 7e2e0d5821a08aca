package io.cumulus.projector;

/**
 * Cassandra could not take the sync state writes of a poll now (no node reachable, a timeout, too
 * few replicas). Nothing of the poll has been committed; writing the same poll again is safe.
 */
final class CassandraUnavailableException extends RuntimeException {

    CassandraUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
