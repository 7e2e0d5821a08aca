package io.cumulus.photos.albums;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A connection inside {@link AlbumStore}'s transaction, with the schema its statements write: the live
 * {@code photos}, or a new generation being rebuilt beside it ({@code photos_g2}, docs/decisions/0034).
 * The statements of this package name the schema {@value #SCHEMA}, which {@link #prepareStatement}
 * replaces.
 */
record SchemaConnection(Connection connection, String schema) {
    static final String SCHEMA = "${schema}";

    PreparedStatement prepareStatement(String sql) throws SQLException {
        return connection.prepareStatement(sql.replace(SCHEMA, schema));
    }

    Array createArrayOf(String type, Object[] elements) throws SQLException {
        return connection.createArrayOf(type, elements);
    }
}
