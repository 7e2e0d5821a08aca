package io.cumulus.ingest.chunks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.cumulus.ingest.auth.DeviceSession;
import io.cumulus.ingest.quota.StorageQuotas;
import io.cumulus.ingest.web.BodyLimit;
import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.ingest.web.JsonBody;
import io.cumulus.sync.delta.DeltaCodec;
import io.cumulus.sync.delta.DeltaEncoder;
import io.cumulus.sync.delta.MalformedDeltaException;
import io.cumulus.sync.delta.Signature;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Chunk upload and download, and the question a client asks before uploading: which of these
 * chunks do you lack? All three are scoped to the caller's account. Uploads and downloads may
 * travel as a delta against a base chunk the account may read (decision 0017): the signature of a
 * base, a {@code PUT ?base=} whose body is a delta, a {@code GET ?base=} answered with one.
 */
@RestController
public class ChunkController {
    private static final Logger log = LoggerFactory.getLogger(ChunkController.class);
    /** 10,000 ids of 64 hex digits in JSON, with room for formatting. */
    private static final BodyLimit MISSING_LIMIT = BodyLimit.ofKiB(1024);

    private final BlobStore blobs;
    private final ChunkCatalog catalog;
    private final JsonBody json;
    private final DedupMetrics dedup;
    private final ChunkDeltas deltas;
    private final StorageQuotas quotas;

    record MissingQuery(List<String> chunkIds) {
    }

    record Missing(List<String> missing) {
    }

    record Stored(String chunkId, long size) {
    }

    public ChunkController(BlobStore blobs, ChunkCatalog catalog, JsonBody json, ObjectProvider<MeterRegistry> meters,
                           StorageQuotas quotas) {
        this.quotas = quotas;
        this.blobs = blobs;
        this.catalog = catalog;
        this.json = json;
        this.dedup = new DedupMetrics(meters.getIfAvailable(SimpleMeterRegistry::new));
        this.deltas = new ChunkDeltas(blobs, catalog);
    }

    @PostMapping(path = "/v1/chunks/missing", consumes = MediaType.APPLICATION_JSON_VALUE)
    Missing missing(DeviceSession session, HttpServletRequest request) {
        MissingQuery query = json.read(request, MISSING_LIMIT, MissingQuery.class);
        if (query.chunkIds() == null) {
            throw InvalidRequestException.invalid("chunkIds is required: an array of chunk ids");
        }
        if (query.chunkIds().size() > ChunkLimits.MAX_IDS_PER_QUERY) {
            throw new InvalidRequestException("too-many-chunk-ids", "Too many chunk ids",
                    "at most " + ChunkLimits.MAX_IDS_PER_QUERY + " chunk ids per request, got " + query.chunkIds().size());
        }
        query.chunkIds().forEach(InvalidChunkIdException::parse);
        List<String> missing = catalog.missingFor(session.accountId(), query.chunkIds());
        dedup.asked(new java.util.HashSet<>(query.chunkIds()).size(), missing.size());
        return new Missing(missing);
    }

    /** 201 when the chunk is new to this account, 200 when it had it already; the bytes are verified either way. */
    @PutMapping("/v1/chunks/{chunkId}")
    ResponseEntity<Stored> upload(DeviceSession session, @PathVariable String chunkId, HttpServletRequest request) {
        ChunkId id = InvalidChunkIdException.parse(chunkId);
        if (request.getContentLengthLong() > ChunkLimits.MAX_CHUNK_BYTES) {
            throw new ChunkTooLargeException(ChunkLimits.MAX_CHUNK_BYTES);
        }
        StoredChunk stored;
        try (InputStream body = request.getInputStream()) {
            stored = store(session, id, body, "", request.getContentLengthLong());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the upload of chunk " + id, e);
        }
        if (stored.isNew()) {
            return ResponseEntity.created(URI.create("/v1/chunks/" + id.hex())).body(stored.stored());
        }
        return ResponseEntity.ok(stored.stored());
    }

    /**
     * The chunk as a delta against {@code base}, which this account must be able to read: applied,
     * then stored exactly as a plain upload of the result would be (size limit, SHA-256 = id).
     */
    // Chosen by its content type alone: a condition on the query parameters would have the container read
    // them, and with them a multipart body, before a plain upload's handler gets its bytes (see RawChunkBody).
    @PutMapping(path = "/v1/chunks/{chunkId}", consumes = ChunkDeltas.MEDIA_TYPE)
    ResponseEntity<Stored> uploadDelta(DeviceSession session, @PathVariable String chunkId, @RequestParam("base") String base,
                                       HttpServletRequest request) {
        ChunkId id = InvalidChunkIdException.parse(chunkId);
        ChunkId baseId = InvalidChunkIdException.parse(base);
        byte[] delta = new BodyLimit((int) ChunkDeltas.MAX_DELTA_BYTES).read(request);
        byte[] baseBytes = deltas.base(session.accountId(), baseId);
        byte[] chunk;
        try {
            chunk = DeltaCodec.apply(baseBytes, delta, ChunkLimits.MAX_CHUNK_BYTES);
        } catch (MalformedDeltaException e) {
            throw new BadDeltaException(id, baseId, e.getMessage());
        }
        StoredChunk stored = store(session, id, new java.io.ByteArrayInputStream(chunk), " base=" + baseId + " deltaBytes=" + delta.length,
                chunk.length);
        return stored.isNew() ? ResponseEntity.created(URI.create("/v1/chunks/" + id.hex())).body(stored.stored())
                : ResponseEntity.ok(stored.stored());
    }

    /**
     * Several small chunks in one request ({@value ChunkPack#CONTENT_TYPE}: for each, its 32-byte
     * SHA-256, its length as 4 bytes big-endian, its bytes). Each is verified and stored exactly as
     * a {@code PUT} of it alone would be, in order; a chunk that fails (a wrong hash, a truncated
     * pack) answers the request with that error, and those before it stay stored, as their own
     * {@code PUT}s would have.
     */
    @PostMapping("/v1/chunks/pack")
    PackStored uploadPack(DeviceSession session, HttpServletRequest request) {
        if (request.getContentLengthLong() > ChunkPack.MAX_BYTES) {
            throw new ChunkTooLargeException(ChunkPack.MAX_BYTES);
        }
        List<Stored> stored = new java.util.ArrayList<>();
        try (InputStream body = new BoundedInputStream(request.getInputStream(), ChunkPack.MAX_BYTES)) {
            ChunkPack.Reader pack = new ChunkPack.Reader(body);
            for (ChunkPack.Entry entry; (entry = pack.next()) != null; ) {
                if (stored.size() >= ChunkPack.MAX_CHUNKS) {
                    throw new InvalidRequestException("too-many-chunks", "Too many chunks",
                            "at most " + ChunkPack.MAX_CHUNKS + " chunks in one pack");
                }
                stored.add(store(session, entry.id(), entry.bytes(), "", -1).stored());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chunk pack", e);
        }
        return new PackStored(stored);
    }

    record PackStored(List<Stored> stored) {
    }

    private record StoredChunk(Stored stored, boolean isNew) {
    }

    /**
     * Verifies and stores one chunk's bytes for the session's account, unless the account is at its
     * storage quota and cannot see the chunk already ({@code declaredBytes}: its length when known, else -1).
     */
    private StoredChunk store(DeviceSession session, ChunkId id, InputStream body, String how, long declaredBytes) {
        quotas.admitUpload(session.accountId(), id, declaredBytes);
        // The row first, then the bytes: the garbage collector never deletes bytes an upload is writing.
        ChunkCatalog.Upload upload = catalog.beginUpload(id);
        long size;
        try {
            size = blobs.put(id, body, ChunkLimits.MAX_CHUNK_BYTES);
            if (size == 0) {
                throw new InvalidRequestException("empty-chunk", "Empty chunk", "a chunk has at least one byte");
            }
        } catch (RuntimeException e) {
            catalog.abandon(upload);
            throw e;
        }
        boolean isNew = catalog.recordUpload(session.accountId(), id, size, blobs);
        if (upload.alreadyStored()) {
            dedup.uploadedAgain();
        }
        if (isNew) {
            log.info("chunk stored chunkId={} size={} accountId={} device={}{}", id, size, session.accountId(), session.deviceId(), how);
        } else {
            log.debug("chunk uploaded again chunkId={} size={} accountId={} device={}{}", id, size, session.accountId(), session.deviceId(), how);
        }
        return new StoredChunk(new Stored(id.hex(), size), isNew);
    }

    /**
     * Several chunks in one response, framed as a pack (see {@link #uploadPack}), in the order
     * asked, each id once; a chunk this account may not read (or that does not exist) is left out,
     * so a client asks for it alone to learn why. At most {@value ChunkPack#MAX_CHUNKS} ids and
     * {@link ChunkPack#MAX_BYTES} bytes in all.
     */
    @PostMapping(path = "/v1/chunks/fetch", consumes = MediaType.APPLICATION_JSON_VALUE)
    void downloadPack(DeviceSession session, HttpServletRequest request, HttpServletResponse response) throws IOException {
        MissingQuery query = json.read(request, MISSING_LIMIT, MissingQuery.class);
        if (query.chunkIds() == null) {
            throw InvalidRequestException.invalid("chunkIds is required: an array of chunk ids");
        }
        if (query.chunkIds().size() > ChunkPack.MAX_CHUNKS) {
            throw new InvalidRequestException("too-many-chunk-ids", "Too many chunk ids",
                    "at most " + ChunkPack.MAX_CHUNKS + " chunk ids per pack, got " + query.chunkIds().size());
        }
        List<ChunkId> ids = query.chunkIds().stream().distinct().map(InvalidChunkIdException::parse).toList();
        java.util.Map<String, Long> sizes = catalog.sizesVisibleTo(session.accountId(), query.chunkIds());
        long total = sizes.values().stream().mapToLong(Long::longValue).sum();
        if (total > ChunkPack.MAX_BYTES) {
            throw new InvalidRequestException("pack-too-large", "Pack too large",
                    "at most " + ChunkPack.MAX_BYTES + " bytes of chunks per pack, these are " + total);
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(ChunkPack.CONTENT_TYPE);
        response.setContentLengthLong(sizes.values().stream().mapToLong(size -> size + 36).sum());
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(response.getOutputStream())) {
            for (ChunkId id : ids) {
                Long size = sizes.get(id.hex());
                if (size == null) {
                    continue;
                }
                try (InputStream in = blobs.open(id).orElseThrow(() -> new IllegalStateException(
                        "chunk " + id + " is in the catalog but not in the blob store"))) {
                    out.write(java.util.HexFormat.of().parseHex(id.hex()));
                    out.writeInt(size.intValue());
                    in.transferTo(out);
                }
            }
        }
    }

    /** The signature of a chunk this account may read, for a client to encode a delta against it. */
    @GetMapping("/v1/chunks/{chunkId}/signature")
    ResponseEntity<byte[]> signature(DeviceSession session, @PathVariable String chunkId) {
        ChunkId id = InvalidChunkIdException.parse(chunkId);
        byte[] signature = Signature.of(deltas.chunk(session.accountId(), id)).toBytes();
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .cacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePrivate().immutable())
                .body(signature);
    }

    /**
     * The chunk as a delta against {@code base}, both readable by this account; when the delta would
     * not be smaller, the chunk's own bytes ({@code application/octet-stream}) instead.
     */
    @GetMapping(path = "/v1/chunks/{chunkId}", params = "base")
    ResponseEntity<byte[]> downloadDelta(DeviceSession session, @PathVariable String chunkId, @RequestParam("base") String base) {
        ChunkId id = InvalidChunkIdException.parse(chunkId);
        ChunkId baseId = InvalidChunkIdException.parse(base);
        byte[] chunk = deltas.chunk(session.accountId(), id);
        byte[] delta = DeltaEncoder.encode(deltas.base(session.accountId(), baseId), chunk);
        boolean smaller = delta.length < chunk.length;
        return ResponseEntity.ok()
                .contentType(smaller ? MediaType.parseMediaType(ChunkDeltas.MEDIA_TYPE) : MediaType.APPLICATION_OCTET_STREAM)
                .cacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePrivate().immutable())
                .body(smaller ? delta : chunk);
    }

    @GetMapping("/v1/chunks/{chunkId}")
    void download(DeviceSession session, @PathVariable String chunkId, HttpServletResponse response) throws IOException {
        ChunkId id = InvalidChunkIdException.parse(chunkId);
        long size = catalog.sizeVisibleTo(session.accountId(), id).orElseThrow(() -> new ChunkNotFoundException(chunkId));
        try (InputStream in = blobs.open(id).orElseThrow(() -> new IllegalStateException(
                "chunk " + id + " is in the catalog but not in the blob store"))) {
            response.setStatus(HttpServletResponse.SC_OK);
            response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
            response.setContentLengthLong(size);
            response.setHeader(HttpHeaders.ETAG, "\"" + id.hex() + "\"");
            // A chunk's bytes never change under its name, but only this account may read them.
            response.setHeader(HttpHeaders.CACHE_CONTROL,
                    CacheControl.maxAge(Duration.ofDays(365)).cachePrivate().immutable().getHeaderValue());
            try (OutputStream out = response.getOutputStream()) {
                in.transferTo(out);
            }
        }
    }
}
