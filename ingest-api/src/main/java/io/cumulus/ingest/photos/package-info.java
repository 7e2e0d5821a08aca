/**
 * The photo library's API: the timeline, one photo and its thumbnail and preview, counts by day,
 * month and place, albums and favourites, all within the caller's home namespace, and the albums
 * other accounts shared with the caller (docs/decisions/0032: a shared album stays in its owner's
 * library, its members view it or contribute photos of their own library to it). Photos are read
 * from the {@code photos} schema the photo derivatives worker writes; albums and favourites are
 * changed by publishing {@code AlbumEvent}s to {@code cumulus.album-events.v1} and waiting, briefly,
 * for the worker's album projection to apply them ({@link io.cumulus.ingest.photos.ProjectionWait}),
 * so that an answer shows the state the request made.
 */
package io.cumulus.ingest.photos;
