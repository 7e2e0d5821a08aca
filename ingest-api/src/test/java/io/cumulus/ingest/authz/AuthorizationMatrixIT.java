package io.cumulus.ingest.authz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.cumulus.ingest.ApiClient.Response;

/**
 * Every handler of the ingest API against every relation (issue 14's authorization matrix). The
 * handlers are read from Spring's request mappings, so a handler added without a row in
 * {@link MatrixRows} fails the first test by name. The rows' requests that change something run
 * last, in the matrix test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthorizationMatrixIT {
    private static MatrixWorld world;
    private static List<Row> rows;

    @BeforeAll
    static void start() {
        world = new MatrixWorld(Map.of());
        rows = MatrixRows.all(world);
    }

    @AfterAll
    static void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    @Order(1)
    void everyHandlerHasARowAndEveryRowAHandler() {
        Map<EndpointKey, String> handlers = EndpointKey.handlersOf(world.api.context());
        Set<EndpointKey> covered = rows.stream().map(Row::endpoint).collect(Collectors.toCollection(TreeSet::new));

        List<String> withoutRow = handlers.entrySet().stream().filter(h -> !covered.contains(h.getKey()))
                .map(h -> h.getKey() + " (" + h.getValue() + ")").toList();
        List<EndpointKey> withoutHandler = covered.stream().filter(k -> !handlers.containsKey(k)).toList();

        assertThat(withoutRow).as("handlers without a row in MatrixRows").isEmpty();
        assertThat(withoutHandler).as("rows naming no handler").isEmpty();
    }

    @Test
    @Order(2)
    void anotherAccountsObjectAnswersExactlyAsOneThatDoesNotExist() {
        List<String> leaks = new ArrayList<>();
        for (Row row : leakChecked()) {
            leaks.addAll(LeakCheck.compare(world, row, Relation.OWNER, world.otherTargets));
            leaks.addAll(LeakCheck.compare(world, row, Relation.OTHER, world.ownerTargets));
        }
        assertThat(leaks).as("answers that tell another account's object from a nonexistent one").isEmpty();
    }

    @Test
    @Order(3)
    void listingsOfAnotherAccountAndOfARemovedMemberHoldNothingOfTheOwners() {
        List<String> leaks = LeakCheck.listings(world);
        assertThat(leaks).as("listings that name the owner's objects to someone outside them").isEmpty();
    }

    @Test
    @Order(4)
    void anotherAccountsObjectTakesNoMeasurablyDifferentTimeThanANonexistentOne() {
        List<String> slower = new ArrayList<>();
        for (Row row : leakChecked()) {
            Timing.compare(world, row).ifPresent(slower::add);
        }
        assertThat(slower).as("requests whose time tells another account's object from a nonexistent one").isEmpty();
    }

    @Test
    @Order(5)
    void everyRelationGetsExactlyTheStatusOfItsRow() {
        List<String> mismatches = new ArrayList<>();
        List<Relation> order = new ArrayList<>(List.of(Relation.values()));
        order.sort(Comparator.reverseOrder()); // the owner last: see MatrixRows
        for (Row row : rows) {
            for (Relation relation : order) {
                Call call = row.call(world.ownerTargetsFor(relation), world.asker(relation));
                Response r = world.send(relation, call);
                int expected = row.expected().get(relation);
                if (MatrixWorld.deferred(r) && expected / 100 == 2) {
                    // An album change the projection had not shown within the API's wait: accepted, so
                    // allowed, as the 2xx the row expects would say; the next request waits for it.
                    world.awaitAlbumProjection();
                    continue;
                }
                if (r.status() != expected) {
                    mismatches.add(row + " as " + relation + ": expected " + expected + ", got " + abbreviated(r));
                }
            }
        }
        assertThat(mismatches).as("statuses that differ from the matrix").isEmpty();
    }

    private static List<Row> leakChecked() {
        return rows.stream().filter(Row::leakChecked).toList();
    }

    static String abbreviated(Response r) {
        String body = r.contentType().contains("json") ? r.body() : r.bytes().length + " bytes " + r.contentType();
        return r.status() + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }
}
