package io.cumulus.ingest.photos;

/**
 * A photo as the API shows it. {@code takenAt} is ISO-8601 with the photo's own UTC offset when it
 * is known ({@code takenAtSource} says how it was learnt), {@code Z} otherwise; {@code thumbnail}
 * and {@code preview} are the addresses of the JPEG derivatives, null until they exist or when the
 * photo is {@code unreadable} ({@code reason} says why).
 */
record PhotoView(String fileId, String path, long size, String format, String takenAt, String takenAtSource,
                 Integer width, Integer height, String camera, String cameraMake, String cameraModel, String lens,
                 Double latitude, Double longitude, String state, String reason, boolean favourite, String thumbnail,
                 String preview) {

    static PhotoView of(Photo p) {
        String base = "/v1/photos/" + p.fileId() + "/";
        return new PhotoView(p.fileId(), p.path(), p.size(), p.format(), p.takenAtLocal().format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME), p.takenAtSource(),
                p.width(), p.height(), p.camera().orElse(null), p.cameraMake(), p.cameraModel(), p.lens(), p.latitude(),
                p.longitude(), p.state(), p.reason(), p.favourite(),
                p.derivative(Photo.Derivative.THUMBNAIL).map(id -> base + "thumbnail").orElse(null),
                p.derivative(Photo.Derivative.PREVIEW).map(id -> base + "preview").orElse(null));
    }
}
