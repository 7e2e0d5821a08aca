/**
 * The image part of the photo library: {@link io.cumulus.photos.image.ImageKinds} recognises an
 * image by its content, {@link io.cumulus.photos.image.PhotoDeriver} reads its metadata
 * (metadata-extractor) and makes its thumbnail and preview (libvips' command-line tools, bounded
 * subprocesses), answering a sealed {@link io.cumulus.photos.image.Derived}. Why libvips and why
 * as subprocesses, with the measurements: docs/decisions/0022-photo-derivatives-with-libvips-tools.md.
 */
package io.cumulus.photos.image;
