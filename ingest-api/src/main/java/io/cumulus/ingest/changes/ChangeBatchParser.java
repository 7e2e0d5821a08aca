package io.cumulus.ingest.changes;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

import io.cumulus.ingest.chunks.ChunkId;
import io.cumulus.ingest.chunks.ChunkLimits;
import io.cumulus.ingest.changes.FileChange.ChunkRef;
import io.cumulus.ingest.web.InvalidRequestException;
import io.cumulus.schemas.FileOp;
import io.cumulus.sync.id.FileId;
import io.cumulus.sync.path.InvalidPathException;
import io.cumulus.sync.path.SyncPath;
import io.cumulus.sync.vector.VersionVector;
import tools.jackson.databind.JsonNode;

/**
 * Reads the body of {@code POST /v1/changes} into a {@link ChangeBatch}, checking every rule that
 * needs no database and refusing the first broken one with a problem that names the change and
 * the rule. The submitting device must appear in each change's vector: its counter there is how
 * the device says it made the edit. Which devices a vector may name, and how far it may count theirs,
 * needs the database: {@link DeviceCounters} checks that at intake.
 */
public final class ChangeBatchParser {
    public static final int MAX_CHANGES = 1_000;

    private ChangeBatchParser() {
    }

    public static ChangeBatch parse(JsonNode root, String submittingDeviceId) {
        if (root == null || !root.isObject()) {
            throw InvalidRequestException.invalid("the body must be a JSON object {namespaceId, changes}");
        }
        JsonNode namespace = root.get("namespaceId");
        if (namespace == null || !namespace.isString() || namespace.stringValue().isBlank()) {
            throw InvalidRequestException.invalid("namespaceId is required: the id of the namespace the changes belong to");
        }
        JsonNode changes = root.get("changes");
        if (changes == null || !changes.isArray() || changes.isEmpty()) {
            throw InvalidRequestException.invalid("changes is required: a non-empty array of changes");
        }
        if (changes.size() > MAX_CHANGES) {
            throw new InvalidRequestException("too-many-changes", "Too many changes",
                    "a batch has at most " + MAX_CHANGES + " changes, this one has " + changes.size());
        }
        List<FileChange> parsed = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            parsed.add(change(i, changes.get(i), submittingDeviceId));
        }
        return new ChangeBatch(namespace.stringValue(), parsed);
    }

    private static FileChange change(int i, JsonNode change, String deviceId) {
        if (!change.isObject()) {
            throw InvalidChangeException.change(i, "a change must be a JSON object");
        }
        String fileId = fileId(i, change.get("fileId"));
        SyncPath path = path(i, change.get("path"));
        FileOp op = op(i, change.get("op"));
        TreeMap<String, Long> vector = vector(i, change.get("vector"), deviceId);
        OptionalLong modifiedAt = modifiedAt(i, change.get("modifiedAt"));
        JsonNode chunks = change.get("chunks");
        JsonNode size = change.get("size");
        return switch (op) {
            case DELETE -> {
                if (present(chunks) && !(chunks.isArray() && chunks.isEmpty())) {
                    throw InvalidChangeException.manifest(i, "a DELETE has no chunks");
                }
                if (present(size) && !(size.isIntegralNumber() && size.canConvertToLong() && size.longValue() == 0)) {
                    throw InvalidChangeException.manifest(i, "a DELETE has no size (or size 0)");
                }
                yield new FileChange(fileId, path, op, vector, List.of(), 0, modifiedAt);
            }
            case UPSERT -> {
                List<ChunkRef> manifest = manifest(i, chunks);
                long total = size(i, size);
                long sum = 0;
                for (ChunkRef ref : manifest) {
                    sum += ref.size(); // cannot overflow: each is at most MAX_CHUNK_BYTES and the body is bounded
                }
                if (sum != total) {
                    throw InvalidChangeException.manifest(i, "the chunk sizes add up to " + sum + ", but size is " + total);
                }
                yield new FileChange(fileId, path, op, vector, manifest, total, modifiedAt);
            }
        };
    }

    private static String fileId(int i, JsonNode node) {
        if (node == null || !node.isString() || !FileId.isValid(node.stringValue())) {
            throw InvalidChangeException.fileId(i, "fileId is required: " + FileId.SYNTAX);
        }
        return node.stringValue();
    }

    private static SyncPath path(int i, JsonNode node) {
        if (node == null || !node.isString()) {
            throw InvalidChangeException.path(i, "missing", "path is required: a string");
        }
        try {
            return SyncPath.parse(node.stringValue());
        } catch (InvalidPathException e) {
            throw InvalidChangeException.path(i, e.reason(), e.getMessage());
        }
    }

    private static FileOp op(int i, JsonNode node) {
        if (node != null && node.isString()) {
            for (FileOp op : FileOp.values()) {
                if (op.name().equals(node.stringValue())) {
                    return op;
                }
            }
        }
        throw InvalidChangeException.change(i, "op is required: \"UPSERT\" or \"DELETE\"");
    }

    private static TreeMap<String, Long> vector(int i, JsonNode node, String deviceId) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw InvalidChangeException.vector(i, "vector is required: a non-empty object {deviceId: counter}");
        }
        TreeMap<String, Long> vector = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String device = entry.getKey();
            JsonNode counter = entry.getValue();
            if (VectorActor.parse(device).isEmpty()) {
                throw InvalidChangeException.vector(i, "a key of the vector is " + VectorActor.SYNTAX + ", not '"
                        + printable(device) + "'");
            }
            if (!counter.isIntegralNumber() || !counter.canConvertToLong() || counter.longValue() < 1
                    || counter.longValue() > VersionVector.MAX_COUNTER) {
                throw InvalidChangeException.vector(i, "the counter of device " + device + " must be a whole number from 1 to "
                        + VersionVector.MAX_COUNTER + ", was " + counter);
            }
            vector.put(device, counter.longValue());
        }
        if (!vector.containsKey(deviceId)) {
            throw InvalidChangeException.vector(i, "the vector must contain the submitting device " + deviceId
                    + ": its counter there says this device made the edit");
        }
        return vector;
    }

    /** At most 100 characters, control characters escaped: a refused key is echoed, not trusted. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().limit(100).forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.SURROGATE) {
                out.append(String.format(Locale.ROOT, "\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static List<ChunkRef> manifest(int i, JsonNode node) {
        if (node == null || !node.isArray()) {
            throw InvalidChangeException.manifest(i, "chunks is required for an UPSERT: an array of {id, size} (empty for an empty file)");
        }
        List<ChunkRef> refs = new ArrayList<>(node.size());
        for (int k = 0; k < node.size(); k++) {
            JsonNode chunk = node.get(k);
            JsonNode id = chunk.get("id");
            JsonNode size = chunk.get("size");
            if (!chunk.isObject() || id == null || !id.isString() || !ChunkId.isValid(id.stringValue())) {
                throw InvalidChangeException.manifest(i, "chunks[" + k + "].id must be a chunk id: 64 lowercase hex digits");
            }
            if (size == null || !size.isIntegralNumber() || !size.canConvertToLong()
                    || size.longValue() < 1 || size.longValue() > ChunkLimits.MAX_CHUNK_BYTES) {
                throw InvalidChangeException.manifest(i, "chunks[" + k + "].size must be a whole number from 1 to "
                        + ChunkLimits.MAX_CHUNK_BYTES);
            }
            refs.add(new ChunkRef(new ChunkId(id.stringValue()), size.longValue()));
        }
        return refs;
    }

    private static long size(int i, JsonNode node) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw InvalidChangeException.manifest(i, "size is required for an UPSERT: the file's size in bytes, a whole number >= 0");
        }
        return node.longValue();
    }

    /** When the device last modified the file, for people to read: epoch millis or an ISO-8601 instant. */
    private static OptionalLong modifiedAt(int i, JsonNode node) {
        if (!present(node)) {
            return OptionalLong.empty();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return OptionalLong.of(node.longValue());
        }
        if (node.isString()) {
            try {
                return OptionalLong.of(Instant.parse(node.stringValue()).toEpochMilli());
            } catch (DateTimeParseException | ArithmeticException e) {
                // falls through to the refusal below
            }
        }
        throw InvalidChangeException.change(i, "modifiedAt must be epoch milliseconds or an ISO-8601 instant");
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }
}
