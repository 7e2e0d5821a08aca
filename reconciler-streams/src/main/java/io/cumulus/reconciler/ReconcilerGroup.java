package io.cumulus.reconciler;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Who is in the publishing generation's consumer group. A rebuild stops the publishing generation in
 * this process and lets the new one publish; a reconciler instance of another process in the same
 * group would take over the stopped one's partitions and go on publishing them as the old generation,
 * so every record from there on would be published twice. A rebuild therefore runs only while every
 * member of the group is a stream thread of this process.
 */
final class ReconcilerGroup {
    private static final long TIMEOUT_MS = 30_000;

    /** A member of the group: its consumer's client id, its static instance id if it has one, its host. */
    record Member(String clientId, Optional<String> instanceId, String host) {
        String describe() {
            return instanceId.map(id -> "instance id " + id + ", ").orElse("") + "client " + clientId + " on " + host;
        }
    }

    /** Thrown when a member of the group belongs to another process; the rebuild must not go on. */
    static final class OtherInstance extends IllegalStateException {
        OtherInstance(String message) {
            super(message);
        }
    }

    private ReconcilerGroup() {
    }

    /** The members of {@code group} that are not one of {@code ownClientIds} (this process's stream threads). */
    static List<Member> others(Collection<Member> members, Set<String> ownClientIds) {
        return members.stream().filter(m -> !ownClientIds.contains(m.clientId())).toList();
    }

    /** @throws OtherInstance unless every member of {@code group} is one of {@code ownClientIds} */
    static void requireOnly(String group, Collection<Member> members, Set<String> ownClientIds) {
        List<Member> others = others(members, ownClientIds);
        if (!others.isEmpty()) {
            throw new OtherInstance((others.size() == 1 ? "another reconciler instance (" : "other reconciler instances (")
                    + others.stream().map(Member::describe).collect(Collectors.joining("; ")) + ") "
                    + (others.size() == 1 ? "is" : "are") + " in group " + group
                    + "; stop it or run the rebuild there");
        }
    }

    /** The members of {@code group} now, as the group coordinator knows them (none for a group that does not exist). */
    static List<Member> members(String bootstrapServers, String group) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups()
                    .get(group).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return description.members().stream()
                    .map(m -> new Member(m.clientId(), m.groupInstanceId(), m.host())).toList();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw new IllegalStateException("cannot list the members of consumer group " + group + ": " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing the members of consumer group " + group, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot list the members of consumer group " + group + " within "
                    + TIMEOUT_MS + " ms", e);
        }
    }
}
