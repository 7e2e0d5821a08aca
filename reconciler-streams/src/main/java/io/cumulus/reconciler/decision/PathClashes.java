package io.cumulus.reconciler.decision;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

import io.cumulus.sync.conflict.ConflictNames;
import io.cumulus.sync.path.PathKey;

/**
 * Where one file may live among the other live files of a namespace. No disk holds two names equal
 * under NFC and case folding in one folder, nor a file and a folder with one name, so a path
 * {@code P} clashes with another live file when that file
 * <ul>
 * <li>has the same {@link PathKey} (a name clash);</li>
 * <li>lies under {@code P}, at any depth: {@code P} is used as a folder ({@code report} against
 *     {@code report/a.txt}, or against the folder marker {@code report/.cumulusdir});</li>
 * <li>sits at a proper ancestor of {@code P}: a folder of {@code P} is a file ({@code x/y} against
 *     the file {@code x}).</li>
 * </ul>
 * Keys are compared segment by segment: the key of a folder is the key of its path, and a file lies
 * under it when the file's key starts with the folder's key and a slash.
 *
 * <h2>Who moves</h2>
 * The file being decided is the later one in log order, and it moves, never the one already there.
 * Each folder of its path that another file holds is renamed, outermost first, to its first
 * conflicted-copy name ({@link ConflictNames}) no file holds: later files under the same folder from
 * the same device on the same day land in the same renamed folder. The last segment then keeps its
 * name when that is free, or takes its first free conflicted-copy name. Every name is derived from
 * the batch (device, date) and the namespace's state only, so a replay moves every file to the same
 * path. A renamed folder keeps its parent, whose folders are already free, so one pass settles the
 * whole path; each search for a free name ends because a namespace holds finitely many files.
 *
 * <p>The file's own stored version never clashes with it: a file may move into or out of its own old
 * path as a folder. See {@code docs/decisions/0015-file-folder-clashes.md}.
 */
final class PathClashes {
    private final NamespaceView namespace;
    private final String fileId;

    /** The clashes of the file {@code fileId} with the other live files of {@code namespace}. */
    PathClashes(NamespaceView namespace, String fileId) {
        this.namespace = namespace;
        this.fileId = fileId;
    }

    /**
     * The live file that keeps this file from {@code path}, if any: the holder of its outermost
     * folder that is a file, else the file holding its key, else the first file under it by key.
     */
    Optional<String> blocker(String path) {
        String[] segments = path.split("/", -1);
        String folder = "";
        for (int i = 0; i < segments.length - 1; i++) {
            folder = join(folder, segments[i]);
            Optional<String> holder = fileAt(folder);
            if (holder.isPresent()) {
                return holder;
            }
        }
        return blockerOfName(path);
    }

    /** {@code path} when it is free, else the nearest free path (see the class comment). */
    String freePath(String path, String deviceName, Instant at) {
        String settled = join(freeFolders(path, deviceName, at), lastSegment(path));
        return blockerOfName(settled).isEmpty() ? settled : freeCopyName(settled, deviceName, at);
    }

    /** A conflicted-copy path for {@code path} that is free: a copy never takes the plain name. */
    String freeCopyPath(String path, String deviceName, Instant at) {
        return freeCopyName(join(freeFolders(path, deviceName, at), lastSegment(path)), deviceName, at);
    }

    /** The folder part of {@code path} with every folder another file holds renamed; empty at the root. */
    private String freeFolders(String path, String deviceName, Instant at) {
        String[] segments = path.split("/", -1);
        String folder = "";
        for (int i = 0; i < segments.length - 1; i++) {
            String candidate = join(folder, segments[i]);
            if (fileAt(candidate).isPresent()) {
                // Files under the renamed folder are welcome (that is how later ones join it); a file at it is not.
                candidate = firstCopyName(candidate, deviceName, at, name -> fileAt(name).isEmpty());
            }
            folder = candidate;
        }
        return folder;
    }

    /** A path whose folders are free: its first conflicted-copy name held by no file and over no file. */
    private String freeCopyName(String path, String deviceName, Instant at) {
        return firstCopyName(path, deviceName, at, name -> blockerOfName(name).isEmpty());
    }

    /** The file, other than this one, holding {@code path}'s key or lying under it; its folders are not looked at. */
    private Optional<String> blockerOfName(String path) {
        PathKey key = PathKey.of(path);
        Optional<String> holder = fileAt(path);
        return holder.isPresent() ? holder : namespace.holderUnder(key, fileId);
    }

    private Optional<String> fileAt(String path) {
        return namespace.pathHolder(PathKey.of(path)).filter(holder -> !holder.equals(fileId));
    }

    private static String firstCopyName(String path, String deviceName, Instant at, Predicate<String> free) {
        for (int n = 1; ; n++) {
            String candidate = ConflictNames.conflictedCopy(path, deviceName, at, n);
            if (free.test(candidate)) {
                return candidate;
            }
        }
    }

    private static String join(String folder, String name) {
        return folder.isEmpty() ? name : folder + "/" + name;
    }

    private static String lastSegment(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
