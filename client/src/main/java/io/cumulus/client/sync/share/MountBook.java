package io.cumulus.client.sync.share;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.cumulus.client.api.Shares;
import io.cumulus.client.state.LocalState;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shares mounted in a synced folder as this device last knew them, kept in the home folder's
 * state: each share's id, name, role and mount path, and whether it is detached (the account is no
 * longer a member: its folder stays on disk untouched and stays out of the home folder). Kept so
 * that a round without the server still leaves every mount out of home, and so that status can
 * say what each mount is.
 */
public final class MountBook {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String KEY = "mounts";

    /** One mount as recorded. */
    public record Mount(String shareId, String name, String role, String owner, String path, boolean detached) {
        public boolean readOnly() {
            return "viewer".equals(role);
        }

        Mount detach() {
            return new Mount(shareId, name, role, owner, path, true);
        }
    }

    private MountBook() {
    }

    /** The mounts recorded in {@code home}'s state, in the order recorded. */
    public static List<Mount> read(LocalState home) {
        List<Mount> mounts = new ArrayList<>();
        Optional<String> json = home.meta(KEY);
        if (json.isEmpty()) {
            return mounts;
        }
        for (JsonNode m : JSON.readTree(json.get())) {
            mounts.add(new Mount(m.path("shareId").asString(), m.path("name").asString(), m.path("role").asString(),
                    m.path("owner").asString(""), m.path("path").asString(), m.path("detached").asBoolean(false)));
        }
        return mounts;
    }

    static void write(LocalState home, List<Mount> mounts) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (Mount m : mounts) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("shareId", m.shareId());
            o.put("name", m.name());
            o.put("role", m.role());
            o.put("owner", m.owner());
            o.put("path", m.path());
            o.put("detached", m.detached());
            json.add(o);
        }
        home.meta(KEY, JSON.writeValueAsString(json));
    }

    /**
     * The mounts after the server listed the account's shares: each listed share is mounted (with
     * its current role, name and path); a recorded share no longer listed is detached. A share whose
     * mount path changed leaves its old folder detached (its files stay there). Detached mounts stay
     * recorded, unless a share is mounted at that path again.
     */
    static List<Mount> reconcile(List<Mount> recorded, List<Shares.Entry> listed) {
        Map<String, Mount> byKey = new LinkedHashMap<>();
        Map<String, Shares.Entry> current = new LinkedHashMap<>();
        listed.stream().filter(e -> e.mountPath() != null && !e.mountPath().isEmpty()).forEach(e -> current.put(e.shareId(), e));
        for (Mount m : recorded) {
            Shares.Entry now = current.get(m.shareId());
            if (m.detached() || now == null || !now.mountPath().equals(m.path())) {
                byKey.put("detached\n" + m.path(), m.detached() ? m : m.detach());
            }
        }
        for (Shares.Entry e : current.values()) {
            byKey.remove("detached\n" + e.mountPath());
            byKey.put(e.shareId(), new Mount(e.shareId(), e.name(), e.role(), e.owner() == null ? "" : e.owner(), e.mountPath(), false));
        }
        return new ArrayList<>(byKey.values());
    }

    /** {@code mounts} with the share {@code shareId} detached. */
    static List<Mount> detach(List<Mount> mounts, String shareId) {
        return mounts.stream().map(m -> m.shareId().equals(shareId) && !m.detached() ? m.detach() : m).toList();
    }
}
