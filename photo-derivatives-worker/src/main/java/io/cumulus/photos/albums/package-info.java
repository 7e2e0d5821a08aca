/**
 * Albums and favourites: the projection of {@code cumulus.album-events.v1} (written by the ingest
 * API's photo endpoints) into {@code photos.albums}, {@code photos.album_photos},
 * {@code photos.album_members} (shared albums, docs/decisions/0032) and {@code photos.favourites},
 * exactly once per event by the topic's offsets, as the chunk reference counts are
 * (docs/decisions/0013). {@link io.cumulus.photos.albums.AlbumProjector} is the Kafka
 * shell, {@link io.cumulus.photos.albums.AlbumStore} the transaction (with
 * {@link io.cumulus.photos.albums.AlbumMembers} for who an album is shared with), and
 * {@link io.cumulus.photos.albums.AlbumOrder} the pure rule for where photos go in an album.
 */
package io.cumulus.photos.albums;
