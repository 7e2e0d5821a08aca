package io.cumulus.ingest.merge;

import java.io.ByteArrayOutputStream;

import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.merge.MergeAlgorithm;
import org.eclipse.jgit.merge.MergeChunk;
import org.eclipse.jgit.merge.MergeResult;
import org.eclipse.jgit.util.IntList;
import org.eclipse.jgit.util.RawParseUtils;

import io.cumulus.sync.conflict.ConflictPolicy;

/**
 * The three-way, line-based merge of two concurrent versions of a text file against their common
 * ancestor, with JGit's {@link MergeAlgorithm} (histogram diff, as {@code git merge} does). Pure:
 * the answer depends only on the three contents and the policy's text rules, so every worker and
 * every retry computes the same bytes. Lines are copied byte for byte, line endings and a missing
 * final newline included.
 */
public final class ThreeWayTextMerge {

    /** What a merge came to. */
    public sealed interface Result permits Merged, Overlapping, NotText {
    }

    /** Both sides' edits, combined without conflict. */
    public record Merged(byte[] content) implements Result {
    }

    /** The two sides changed the same lines differently: the merge is not clean. */
    public record Overlapping() implements Result {
    }

    /** One of the three contents is not text the policy merges (binary, not UTF-8, or too large). */
    public record NotText() implements Result {
    }

    private final ConflictPolicy policy;

    public ThreeWayTextMerge(ConflictPolicy policy) {
        this.policy = policy;
    }

    public Result merge(byte[] ancestor, byte[] ours, byte[] theirs) {
        if (!policy.isMergeableText(ancestor) || !policy.isMergeableText(ours) || !policy.isMergeableText(theirs)) {
            return new NotText();
        }
        RawText base = new RawText(ancestor);
        MergeResult<RawText> result = new MergeAlgorithm().merge(RawTextComparator.DEFAULT, base, new RawText(ours),
                new RawText(theirs));
        if (result.containsConflicts()) {
            return new Overlapping();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(ours.length, theirs.length));
        IntList[] lineStarts = new IntList[result.getSequences().size()];
        for (MergeChunk chunk : result) {
            int s = chunk.getSequenceIndex();
            byte[] content = result.getSequences().get(s).getRawContent();
            if (lineStarts[s] == null) {
                // lineMap's entry i+1 is where line i starts, and its last entry is the end of the content.
                lineStarts[s] = RawParseUtils.lineMap(content, 0, content.length);
            }
            if (chunk.getEnd() > chunk.getBegin()) {
                int from = lineStarts[s].get(chunk.getBegin() + 1);
                int to = lineStarts[s].get(chunk.getEnd() + 1);
                out.write(content, from, to - from);
            }
        }
        byte[] merged = out.toByteArray();
        return merged.length > policy.textLimit() ? new NotText() : new Merged(merged);
    }
}
