package io.cumulus.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cumulus.client.scan.FolderScanner;
import io.cumulus.client.state.LocalState;
import io.cumulus.client.sync.plan.PushPlanner;
import io.cumulus.client.sync.share.MountBook;

/**
 * What {@code cumulus status} says of the shares mounted in a folder (decision 0030): per mount its
 * share, role and path; for an editor what waits to be sent; for a viewer the local changes never
 * sent (read-only) and the local edits the share's newer version did not overwrite; for a detached
 * mount that it no longer syncs.
 */
final class ShareStatus {
    private ShareStatus() {
    }

    static List<Map<String, Object>> of(Path dir, List<MountBook.Mount> mounts) throws IOException {
        List<Map<String, Object>> shares = new ArrayList<>();
        for (MountBook.Mount m : mounts) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("shareId", m.shareId());
            s.put("name", m.name());
            s.put("path", m.path());
            s.put("role", m.role());
            s.put("owner", m.owner());
            s.put("detached", m.detached());
            Path root = dir.resolve(m.path());
            if (!m.detached() && Files.isDirectory(root)
                    && Files.exists(dir.resolve(LocalState.STATE_DIR).resolve("shares").resolve(m.shareId() + ".db"))) {
                try (LocalState state = LocalState.openShare(dir, m.shareId())) {
                    Map<String, LocalState.SyncedFile> synced = state.files();
                    List<String> waiting = PushPlanner.waiting(FolderScanner.scan(root), synced);
                    List<String> kept = new ArrayList<>();
                    for (String id : state.deferred()) {
                        state.byFileId(id).ifPresent(f -> kept.add(f.path()));
                    }
                    if (m.readOnly()) {
                        s.put("notSent", waiting);
                        s.put("keptLocalEdits", kept);
                    } else {
                        s.put("pendingUploads", waiting);
                    }
                    s.put("lastSync", state.lastSync().map(Object::toString).orElse(null));
                }
            }
            shares.add(s);
        }
        return shares;
    }

    @SuppressWarnings("unchecked")
    static List<String> lines(List<Map<String, Object>> shares) {
        List<String> lines = new ArrayList<>();
        for (Map<String, Object> s : shares) {
            String name = (String) s.get("name");
            if (Boolean.TRUE.equals(s.get("detached"))) {
                lines.add(s.get("path") + ": detached: no longer a member of " + name + "; its files are left as they were");
                continue;
            }
            lines.add(s.get("path") + ": " + name + " (" + s.get("role") + ", owner " + s.get("owner") + ", id " + s.get("shareId")
                    + "; last sync " + (s.get("lastSync") == null ? "never" : s.get("lastSync")) + ")");
            List<String> pending = (List<String>) s.get("pendingUploads");
            if (pending != null) {
                lines.add("  pending uploads: " + pending.size() + (pending.isEmpty() ? "" : " " + pending));
            }
            List<String> notSent = (List<String>) s.get("notSent");
            if (notSent != null) {
                lines.add("  not sent (read-only share " + name + "): " + notSent.size() + (notSent.isEmpty() ? "" : " " + notSent));
            }
            List<String> kept = (List<String>) s.get("keptLocalEdits");
            if (kept != null && !kept.isEmpty()) {
                lines.add("  edited here, kept over the share's newer version (read-only, not sent): " + kept);
            }
        }
        return lines;
    }
}
