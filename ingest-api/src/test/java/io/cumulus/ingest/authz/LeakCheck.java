package io.cumulus.ingest.authz;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.cumulus.ingest.ApiClient;
import io.cumulus.ingest.ApiClient.Response;
import tools.jackson.databind.node.ObjectNode;

/**
 * What an answer may not tell: that an id names another account's object (its answer must equal
 * the answer for an id that names nothing, ids masked), and what another account's listings may
 * not hold (any id or name of the owner's).
 */
final class LeakCheck {
    static final String MASK = "<id>";

    private LeakCheck() {
    }

    /**
     * Asks the row as {@code requester} once about {@code foreign} (objects the requester has no
     * relation to) and once about ids that name nothing; the differences, if any, in words.
     */
    static List<String> compare(MatrixWorld world, Row row, Relation requester, Targets foreign) {
        Targets missing = Targets.missing();
        Call foreignCall = row.call(foreign, world.asker(requester));
        Call missingCall = row.call(missing, world.asker(requester));
        Response a = world.send(requester, foreignCall);
        Response b = world.send(requester, missingCall);
        List<String> ids = new ArrayList<>(foreign.values());
        ids.addAll(missing.values());
        ids.addAll(differingSegments(foreignCall.path(), missingCall.path()));
        String left = masked(a, ids);
        String right = masked(b, ids);
        if (a.status() == b.status() && left.equals(right)) {
            return List.of();
        }
        return List.of(row + " as " + requester + ": another account's object answers " + a.status() + " " + left
                + " but a nonexistent one " + b.status() + " " + right);
    }

    /** The segments of two paths that differ: the ids a row made for its request (a new album, a new link). */
    private static List<String> differingSegments(String a, String b) {
        String[] left = a.split("[/?=&]");
        String[] right = b.split("[/?=&]");
        List<String> differing = new ArrayList<>();
        for (int i = 0; i < Math.min(left.length, right.length); i++) {
            if (!left[i].equals(right[i])) {
                differing.add(left[i]);
                differing.add(right[i]);
            }
        }
        return differing;
    }

    /** The answer with every one of {@code ids} replaced by {@link #MASK}; a body that is not text by its type and size. */
    static String masked(Response r, List<String> ids) {
        String body = r.contentType().contains("problem+json") ? withoutInstance(r)
                : r.contentType().contains("json") || r.contentType().startsWith("text/") ? r.body()
                : r.contentType() + " " + r.bytes().length + " bytes";
        List<String> longestFirst = ids.stream().filter(id -> !id.isEmpty())
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
        for (String id : longestFirst) {
            body = body.replace(id, MASK);
        }
        return r.contentType().split(";")[0] + " " + body;
    }

    /** A problem without its {@code instance}: the request's own path, which a row may fill with a new id each time. */
    private static String withoutInstance(Response r) {
        if (r.json() instanceof ObjectNode problem) {
            problem.remove("instance");
            return problem.toString();
        }
        return r.body();
    }

    /**
     * The other account's listings, each searched for the owner's ids and names; the removed
     * member's, for the share and albums it was taken out of; and a pack of the owner's chunk
     * fetched by the other account, which must come back empty.
     */
    static List<String> listings(MatrixWorld world) {
        Targets mine = world.otherTargets;
        List<Call> calls = new ArrayList<>(List.of(
                Call.get("/v1/devices"), Call.get("/v1/albums"), Call.get("/v1/photos"), Call.get("/v1/photos/days"),
                Call.get("/v1/photos/months"), Call.get("/v1/photos/places"), Call.get("/v1/photos?favourites=true"),
                Call.of("POST", "/v1/login", Map.of("username", mine.username(), "password", ApiClient.passwordOf(mine.username())))));
        for (String ns : List.of(mine.sharedNamespace(), mine.homeNamespace())) {
            for (String what : List.of("files", "changes", "conflicts", "trash", "devices/cursors")) {
                calls.add(Call.get("/v1/namespaces/" + ns + "/" + what));
            }
        }
        for (String listing : List.of("/v1/shares", "/v1/links", "/v1/audit", "/v1/usage")) {
            if (world.has("GET " + listing)) {
                calls.add(Call.get(listing));
            }
        }
        List<String> secrets = new ArrayList<>(world.ownerTargets.values());
        secrets.addAll(world.ownerNames);
        List<String> leaks = new ArrayList<>();
        for (Call call : calls) {
            Response r = world.send(Relation.OTHER, call);
            if (r.status() != 200) {
                leaks.add(call + " answered " + r + " (a listing of the account's own answers 200)");
                continue;
            }
            for (String secret : secrets) {
                if (r.body().contains(secret)) {
                    leaks.add(call + " names the owner's " + secret + ": " + AuthorizationMatrixIT.abbreviated(r));
                }
            }
        }
        // a removed member is told of the share no more: not in its shares, not in its sign-in's namespaces
        Targets owners = world.ownerTargets;
        List<Call> removedCalls = new ArrayList<>(List.of(Call.get("/v1/albums"), Call.of("POST", "/v1/login",
                Map.of("username", world.removed.username(), "password", ApiClient.passwordOf(world.removed.username())))));
        if (world.has("GET /v1/shares")) {
            removedCalls.add(Call.get("/v1/shares"));
        }
        for (Call call : removedCalls) {
            Response r = world.send(Relation.REMOVED, call);
            if (r.status() != 200) {
                leaks.add(call + " as the removed member answered " + AuthorizationMatrixIT.abbreviated(r));
                continue;
            }
            for (String secret : List.of(owners.sharedNamespace(), owners.album(), owners.throwawayAlbum())) {
                if (r.body().contains(secret)) {
                    leaks.add(call + " as the removed member names the owner's " + secret + ": " + AuthorizationMatrixIT.abbreviated(r));
                }
            }
        }
        // a pack of chunks leaves out, silently, every chunk the account may not read
        Response pack = world.send(Relation.OTHER, Call.of("POST", "/v1/chunks/fetch",
                Map.of("chunkIds", List.of(world.ownerTargets.chunk()))));
        if (pack.status() != 200 || pack.bytes().length != 0) {
            leaks.add("POST /v1/chunks/fetch of the owner's chunk answered " + pack.status() + " with " + pack.bytes().length + " bytes");
        }
        return leaks;
    }
}
