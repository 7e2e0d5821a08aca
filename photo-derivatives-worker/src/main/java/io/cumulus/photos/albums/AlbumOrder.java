package io.cumulus.photos.albums;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where photos go in an album: the album's order after adding, removing or reordering photos, as a
 * pure function of the order before and the event. Each rule is total, so an event the API checked
 * against an order that has changed since (a concurrent request, a photo removed meanwhile) still
 * has one defined outcome: an id already in the album is not added twice, an id not in it is not
 * removed or placed, and photos a reorder does not name keep their relative order after the named ones.
 */
public final class AlbumOrder {

    /** {@code added} (without those already in the album) before {@code before}, or at the end when it is not in the album. */
    public static List<String> add(List<String> current, List<String> added, String before) {
        Set<String> present = Set.copyOf(current);
        List<String> fresh = new ArrayList<>(new LinkedHashSet<>(added));
        fresh.removeIf(present::contains);
        List<String> next = new ArrayList<>(current);
        int at = before == null ? -1 : current.indexOf(before);
        next.addAll(at < 0 ? next.size() : at, fresh);
        return List.copyOf(next);
    }

    public static List<String> remove(List<String> current, List<String> removed) {
        Set<String> gone = Set.copyOf(removed);
        return current.stream().filter(id -> !gone.contains(id)).toList();
    }

    /** The album's photos named in {@code order}, in that order, then the ones it does not name as they were. */
    public static List<String> reorder(List<String> current, List<String> order) {
        Set<String> present = Set.copyOf(current);
        LinkedHashSet<String> next = new LinkedHashSet<>();
        for (String id : order) {
            if (present.contains(id)) {
                next.add(id);
            }
        }
        next.addAll(current);
        return List.copyOf(next);
    }

    private AlbumOrder() {
    }
}
