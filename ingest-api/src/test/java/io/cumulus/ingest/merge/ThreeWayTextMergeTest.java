package io.cumulus.ingest.merge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.cumulus.ingest.merge.ThreeWayTextMerge.Merged;
import io.cumulus.ingest.merge.ThreeWayTextMerge.NotText;
import io.cumulus.ingest.merge.ThreeWayTextMerge.Overlapping;
import io.cumulus.sync.conflict.ConflictPolicy;

class ThreeWayTextMergeTest {
    private final ThreeWayTextMerge merge = new ThreeWayTextMerge(ConflictPolicy.defaults());

    @Test
    void concurrentEditsOfDifferentLinesMergeCleanly() {
        // given an ancestor, and two versions that each changed another line
        String ancestor = "# notes\nfirst\nmiddle\nlast\n";
        String ours = "# notes\nfirst, edited here\nmiddle\nlast\n";
        String theirs = "# notes\nfirst\nmiddle\nlast, edited there\n";

        // when they are merged
        ThreeWayTextMerge.Result result = merge.merge(utf8(ancestor), utf8(ours), utf8(theirs));

        // then the result holds both edits
        assertThat(result).isInstanceOf(Merged.class);
        assertThat(text(result)).isEqualTo("# notes\nfirst, edited here\nmiddle\nlast, edited there\n");
    }

    @Test
    void overlappingEditsAreNotMerged() {
        String ancestor = "one\ntwo\nthree\n";

        ThreeWayTextMerge.Result result = merge.merge(utf8(ancestor), utf8("one\nTWO here\nthree\n"),
                utf8("one\ntwo there\nthree\n"));

        assertThat(result).isInstanceOf(Overlapping.class);
    }

    @Test
    void theSameEditOnBothSidesMergesToIt() {
        ThreeWayTextMerge.Result result = merge.merge(utf8("a\nb\n"), utf8("a\nB\n"), utf8("a\nB\n"));

        assertThat(text(result)).isEqualTo("a\nB\n");
    }

    @Test
    void lineEndingsAndAMissingFinalNewlineAreKeptByteForByte() {
        // given CRLF lines and no newline at the end, one side appending, the other editing the first line
        String ancestor = "alpha\r\nbeta\r\ngamma";
        String ours = "ALPHA\r\nbeta\r\ngamma";
        String theirs = "alpha\r\nbeta\r\ngamma\r\ndelta";

        ThreeWayTextMerge.Result result = merge.merge(utf8(ancestor), utf8(ours), utf8(theirs));

        assertThat(text(result)).isEqualTo("ALPHA\r\nbeta\r\ngamma\r\ndelta");
    }

    @Test
    void aFileEmptiedOnOneSideAndEditedOnTheOtherIsNotMerged() {
        ThreeWayTextMerge.Result result = merge.merge(utf8("text\n"), new byte[0], utf8("text\nmore\n"));

        assertThat(result).isInstanceOf(Overlapping.class);
    }

    @Test
    void binaryContentIsNeverMerged() {
        // given versions of which one holds a NUL byte, as images and archives do
        byte[] photo = {(byte) 0xFF, (byte) 0xD8, 0, 0x10, 'J', 'F', 'I', 'F'};

        ThreeWayTextMerge.Result result = merge.merge(utf8("text\n"), photo, utf8("text\nmore\n"));

        assertThat(result).isInstanceOf(NotText.class);
    }

    @Test
    void invalidUtf8IsNeverMerged() {
        byte[] latin1 = "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);

        assertThat(merge.merge(latin1, latin1, utf8("cafe\n"))).isInstanceOf(NotText.class);
    }

    @Test
    void textOverThePolicysLimitIsNeverMerged() {
        ThreeWayTextMerge small = new ThreeWayTextMerge(ConflictPolicy.defaults().withTextLimit(8));

        assertThat(small.merge(utf8("a\n"), utf8("a\nb\n"), utf8("0123456789\na\n"))).isInstanceOf(NotText.class);
    }

    @Test
    void theResultDependsOnlyOnTheThreeContents() {
        byte[] ancestor = utf8("1\n2\n3\n4\n5\n");
        byte[] ours = utf8("1\ntwo\n3\n4\n5\n");
        byte[] theirs = utf8("1\n2\n3\nfour\n5\n");

        assertThat(text(merge.merge(ancestor, ours, theirs))).isEqualTo(text(merge.merge(ancestor, ours, theirs)))
                .isEqualTo("1\ntwo\n3\nfour\n5\n");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(ThreeWayTextMerge.Result result) {
        assertThat(result).isInstanceOf(Merged.class);
        return new String(((Merged) result).content(), StandardCharsets.UTF_8);
    }
}
