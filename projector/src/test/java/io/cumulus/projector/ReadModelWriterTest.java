package io.cumulus.projector;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;

class ReadModelWriterTest {

    @Test
    void aBrokenConnectionOrARestartingServerIsTransient() {
        assertThat(ReadModelWriter.isTransient(new SQLException("connection refused", "08001"))).isTrue();
        assertThat(ReadModelWriter.isTransient(new SQLException("terminating connection", "57P01"))).isTrue();
        assertThat(ReadModelWriter.isTransient(new SQLException("serialization failure", "40001"))).isTrue();
        assertThat(ReadModelWriter.isTransient(new SQLTransientConnectionException("pool exhausted"))).isTrue();
    }

    @Test
    void aFailureCausedByABrokenConnectionIsTransient() {
        SQLException wrapped = new SQLException("batch failed", null, new SQLException("i/o error", "08006"));
        assertThat(ReadModelWriter.isTransient(wrapped)).isTrue();
    }

    @Test
    void aRejectedValueIsNotTransient() {
        assertThat(ReadModelWriter.isTransient(new SQLException("invalid byte sequence", "22021"))).isFalse();
        assertThat(ReadModelWriter.isTransient(new SQLException("check violation", "23514"))).isFalse();
        assertThat(ReadModelWriter.isTransient(new SQLException("no state"))).isFalse();
    }
}
