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
 * A photo is any value with equality: a file id, or a file id with its library in a shared album.
 */
public final class AlbumOrder {

    /** {@code added} (without those already in the album) before {@code before}, or at the end when it is not in the album. */
    public static <T> List<T> add(List<T> current, List<T> added, T before) {
        Set<T> present = Set.copyOf(current);
        List<T> fresh = new ArrayList<>(new LinkedHashSet<>(added));
        fresh.removeIf(present::contains);
        List<T> next = new ArrayList<>(current);
        int at = before == null ? -1 : current.indexOf(before);
        next.addAll(at < 0 ? next.size() : at, fresh);
        return List.copyOf(next);
    }

    public static <T> List<T> remove(List<T> current, List<T> removed) {
        Set<T> gone = Set.copyOf(removed);
        return current.stream().filter(id -> !gone.contains(id)).toList();
    }

    /** The album's photos named in {@code order}, in that order, then the ones it does not name as they were. */
    public static <T> List<T> reorder(List<T> current, List<T> order) {
        Set<T> present = Set.copyOf(current);
        LinkedHashSet<T> next = new LinkedHashSet<>();
        for (T id : order) {
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
