package io.cumulus.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;

import io.cumulus.schemas.ChangeOutcome;
import io.cumulus.schemas.FileEvent;
import io.cumulus.schemas.FileOp;
import io.cumulus.schemas.OutcomeKind;

class NotificationFanoutTest {
    private static final String SHARED = UUID.randomUUID().toString();
    private static final String ALICE_HOME = UUID.randomUUID().toString();
    private static final String BOB_HOME = UUID.randomUUID().toString();
    private static final ConnectedDevice ALICE_LAPTOP = new ConnectedDevice(UUID.randomUUID().toString(), "alice",
            Set.of(ALICE_HOME, SHARED));
    private static final ConnectedDevice ALICE_PHONE = new ConnectedDevice(UUID.randomUUID().toString(), "alice",
            Set.of(ALICE_HOME, SHARED));
    private static final ConnectedDevice BOB_LAPTOP = new ConnectedDevice(UUID.randomUUID().toString(), "bob",
            Set.of(BOB_HOME, SHARED));

    /** Sends on the caller's thread, so a test sees every frame as soon as publish returns. */
    private final NotificationFanout fanout = new NotificationFanout(Runnable::run, Duration.ofSeconds(5), 64 * 1024);

    @Test
    void aNamespaceChangeReachesEverySessionOfTheMembersAndNoOther() {
        // given alice's two devices and bob's, all in the shared namespace, each also in a home namespace
        RecordingSession laptop = connect("s1", ALICE_LAPTOP);
        RecordingSession phone = connect("s2", ALICE_PHONE);
        RecordingSession bob = connect("s3", BOB_LAPTOP);

        // when alice's home namespace changes
        fanout.publish(List.of(event(ALICE_HOME, 7)), List.of());

        // then both of alice's devices hear of it, bob does not
        String push = "{\"type\":\"namespace-changed\",\"namespace\":\"" + ALICE_HOME + "\",\"seq\":7}";
        assertThat(laptop.frames()).containsExactly(push);
        assertThat(phone.frames()).containsExactly(push);
        assertThat(bob.frames()).isEmpty();

        // and when the shared namespace changes, everyone hears of it
        fanout.publish(List.of(event(SHARED, 3)), List.of());
        assertThat(bob.frames()).singleElement().asString().contains("\"namespace\":\"" + SHARED + "\"");
        assertThat(laptop.frames()).hasSize(2);
        assertThat(phone.frames()).hasSize(2);
    }

    @Test
    void theEventsOfOnePollBecomeOnePushPerNamespaceWithItsHighestSeq() {
        // given bob connected
        RecordingSession bob = connect("s1", BOB_LAPTOP);

        // when one poll brings three events of the shared namespace and one of his home
        fanout.publish(List.of(event(SHARED, 3), event(SHARED, 5), event(BOB_HOME, 2), event(SHARED, 4)), List.of());

        // then he gets one push per namespace, each with the newest seq
        assertThat(bob.frames()).containsExactlyInAnyOrder(
                "{\"type\":\"namespace-changed\",\"namespace\":\"" + SHARED + "\",\"seq\":5}",
                "{\"type\":\"namespace-changed\",\"namespace\":\"" + BOB_HOME + "\",\"seq\":2}");
    }

    @Test
    void anOutcomeGoesOnlyToTheSessionsOfTheDeviceThatSubmitted() {
        // given alice's laptop with two sessions, her phone, and bob
        RecordingSession laptop = connect("s1", ALICE_LAPTOP);
        RecordingSession laptopAgain = connect("s2", ALICE_LAPTOP);
        RecordingSession phone = connect("s3", ALICE_PHONE);
        RecordingSession bob = connect("s4", BOB_LAPTOP);

        // when the verdict on a change of the laptop's batch arrives
        fanout.publish(List.of(), List.of(outcome(ALICE_LAPTOP.deviceId())));

        // then only the laptop's sessions get it, with every field
        String push = "{\"type\":\"outcome\",\"batchId\":\"b1\",\"changeIndex\":2,\"namespace\":\"" + SHARED
                + "\",\"fileId\":\"f1\",\"path\":\"a.txt\",\"kind\":\"CONFLICT\",\"seq\":9,"
                + "\"conflictPath\":\"a (Laptop's conflicted copy 2025-10-09).txt\"}";
        assertThat(laptop.frames()).containsExactly(push);
        assertThat(laptopAgain.frames()).containsExactly(push);
        assertThat(phone.frames()).isEmpty();
        assertThat(bob.frames()).isEmpty();
    }

    @Test
    void aSessionThatAskedForNoOutcomesGetsOnlyNamespaceChanges() {
        // given alice's laptop connected twice, once without outcomes
        RecordingSession quiet = connect("s1", ALICE_LAPTOP.withoutOutcomes());
        RecordingSession chatty = connect("s2", ALICE_LAPTOP);

        // when a verdict on its change and its namespace's change arrive
        fanout.publish(List.of(event(SHARED, 9)), List.of(outcome(ALICE_LAPTOP.deviceId())));

        // then the quiet session hears only that the namespace changed
        assertThat(quiet.frames()).singleElement().asString().contains("namespace-changed");
        assertThat(chatty.frames()).hasSize(2);
    }

    @Test
    void aDisconnectedSessionGetsNothingMore() {
        // given a connected phone that disconnects
        RecordingSession phone = connect("s1", ALICE_PHONE);
        fanout.unregister("s1");

        // when its namespace changes and an outcome for it arrives
        fanout.publish(List.of(event(ALICE_HOME, 1)), List.of(outcome(ALICE_PHONE.deviceId())));

        // then nothing is sent to it
        assertThat(phone.frames()).isEmpty();
        assertThat(fanout.connectedSessions()).isZero();
    }

    @Test
    void aReplyFollowsWhatIsAlreadyWaitingForTheSession() {
        // given a connected laptop
        RecordingSession laptop = connect("s1", ALICE_LAPTOP);

        // when a push and then a pong are sent to it
        fanout.publish(List.of(event(SHARED, 1)), List.of());
        fanout.reply("s1", PushMessages.PONG);

        // then it receives both, in that order
        assertThat(laptop.frames()).hasSize(2).last().isEqualTo("{\"type\":\"pong\"}");
    }

    @Test
    void aSessionWhoseSendFailsIsDroppedAndClosed() {
        // given a phone whose connection is broken
        RecordingSession phone = RecordingSession.broken("s1");
        fanout.register(phone, ALICE_PHONE);

        // when a push is sent to it
        fanout.publish(List.of(event(ALICE_HOME, 1)), List.of());

        // then it is dropped
        assertThat(phone.closeStatus()).isEqualTo(CloseStatus.SESSION_NOT_RELIABLE);
        assertThat(fanout.connectedSessions()).isZero();
    }

    @Test
    void aClientThatStopsReadingIsDroppedWithoutDelayingTheOthers() {
        // given a stalled client and a healthy one of the same namespace, sends on their own threads
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
                NotificationFanout threaded = new NotificationFanout(executor, Duration.ofMillis(200), 64 * 1024)) {
            RecordingSession stalled = RecordingSession.stalled("stalled");
            RecordingSession healthy = RecordingSession.open("healthy");
            threaded.register(stalled, ALICE_PHONE);
            threaded.register(healthy, ALICE_LAPTOP);

            // when pushes keep coming
            AtomicInteger published = new AtomicInteger();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                threaded.publish(List.of(event(ALICE_HOME, published.incrementAndGet())), List.of());
                return stalled.closeStatus() != null;
            });

            // then the stalled client was dropped, and the healthy one got every push meanwhile
            assertThat(stalled.closeStatus()).isEqualTo(CloseStatus.SESSION_NOT_RELIABLE);
            await().atMost(Duration.ofSeconds(5)).until(() -> healthy.frames().size() == published.get());
            assertThat(threaded.connectedSessions()).isEqualTo(1);
        }
    }

    @Test
    void aClientTooFarBehindIsDroppedBeforeItsBufferGrowsPastTheLimit() {
        // given a stalled client and a buffer limit of a few pushes
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
                NotificationFanout threaded = new NotificationFanout(executor, Duration.ofMinutes(1), 400)) {
            RecordingSession stalled = RecordingSession.stalled("stalled");
            threaded.register(stalled, BOB_LAPTOP);

            // when ten pushes of about 90 characters each are waiting
            for (int seq = 1; seq <= 10; seq++) {
                threaded.publish(List.of(event(BOB_HOME, seq)), List.of());
            }

            // then it was dropped long before the time limit
            await().atMost(Duration.ofSeconds(5)).until(() -> stalled.closeStatus() != null);
            assertThat(threaded.connectedSessions()).isZero();
        }
    }

    @Test
    void disconnectingADeviceClosesEachOfItsSessionsAndStopsItsPushes() {
        // given alice's laptop with two sessions, and her phone
        RecordingSession laptop = connect("d1", ALICE_LAPTOP);
        RecordingSession laptopAgain = connect("d2", ALICE_LAPTOP);
        RecordingSession phone = connect("d3", ALICE_PHONE);
        assertThat(fanout.connectedDevices()).containsExactlyInAnyOrder(ALICE_LAPTOP.deviceId(), ALICE_PHONE.deviceId());

        // when the laptop is disconnected as revoked, and alice's home namespace changes
        fanout.disconnect(ALICE_LAPTOP.deviceId(), RevokedDeviceSweep.REVOKED);
        fanout.publish(List.of(event(ALICE_HOME, 1)), List.of());

        // then both laptop sessions are closed with the revocation's status and hear nothing more; the phone hears
        assertThat(laptop.closeStatus()).isEqualTo(RevokedDeviceSweep.REVOKED);
        assertThat(laptopAgain.closeStatus()).isEqualTo(RevokedDeviceSweep.REVOKED);
        assertThat(laptop.frames()).isEmpty();
        assertThat(phone.frames()).hasSize(1);
        assertThat(phone.closeStatus()).isNull();
        assertThat(fanout.connectedDevices()).containsExactly(ALICE_PHONE.deviceId());
    }

    @Test
    void anAccountThatLeavesAShareStopsHearingOfItAndOneThatJoinsStartsWithoutReconnecting() {
        // given bob in the shared namespace, and alice's laptop not yet in a second one
        RecordingSession bob = connect("s1", BOB_LAPTOP);
        RecordingSession laptop = connect("s2", ALICE_LAPTOP);
        String family = UUID.randomUUID().toString();

        // when bob leaves the shared namespace and alice joins the family one
        assertThat(fanout.resubscribe("bob", Set.of(BOB_HOME))).isEqualTo(1);
        assertThat(fanout.resubscribe("alice", Set.of(ALICE_HOME, SHARED, family))).isEqualTo(1);
        assertThat(fanout.resubscribe("alice", Set.of(ALICE_HOME, SHARED, family))).as("nothing changed").isZero();
        fanout.publish(List.of(event(SHARED, 9), event(family, 1), event(BOB_HOME, 4)), List.of());

        // then bob hears only of his home, alice of both her shares, and outcomes still find her laptop
        assertThat(bob.frames()).singleElement().asString().contains(BOB_HOME);
        assertThat(laptop.frames()).hasSize(2).anyMatch(f -> f.contains(family)).anyMatch(f -> f.contains(SHARED));
        fanout.publish(List.of(), List.of(outcome(ALICE_LAPTOP.deviceId())));
        assertThat(laptop.frames()).hasSize(3);
        fanout.unregister("s2");
        fanout.publish(List.of(event(family, 2)), List.of());
        assertThat(laptop.frames()).hasSize(3);
    }

    private RecordingSession connect(String id, ConnectedDevice device) {
        RecordingSession session = RecordingSession.open(id);
        fanout.register(session, device);
        return session;
    }

    private static FileEvent event(String namespace, long seq) {
        return FileEvent.newBuilder().setNamespaceId(namespace).setSeq(seq).setFileId("f" + seq)
                .setPath("f" + seq + ".txt").setOp(FileOp.UPSERT).setVector(List.of()).setChunks(List.of())
                .setSize(0L).setDeviceId("d").setBatchId("b").setChangeIndex(0).setAt(0L).build();
    }

    private static ChangeOutcome outcome(String deviceId) {
        return ChangeOutcome.newBuilder().setBatchId("b1").setChangeIndex(2).setNamespaceId(SHARED)
                .setDeviceId(deviceId).setFileId("f1").setPath("a.txt").setKind(OutcomeKind.CONFLICT).setSeq(9L)
                .setConflictFileId("f2").setConflictPath("a (Laptop's conflicted copy 2025-10-09).txt")
                .setCurrentVector(List.of()).setDecidedAt(0L).build();
    }
}
