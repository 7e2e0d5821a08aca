package io.cumulus.client.scan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IgnoreRulesTest {

    private static final boolean FILE = false;
    private static final boolean DIR = true;

    @Test
    void noRulesIgnoreNothing() {
        // given
        IgnoreRules none = IgnoreRules.none();
        IgnoreRules empty = IgnoreRules.parse("");
        IgnoreRules absent = IgnoreRules.parse(null);

        // when / then
        assertThat(none.ignored("a.txt", FILE)).isFalse();
        assertThat(empty.ignored("docs", DIR)).isFalse();
        assertThat(absent.ignored("docs/a.txt", FILE)).isFalse();
    }

    @Test
    void commentsAndBlankLinesAreSkipped() {
        // given
        IgnoreRules rules = IgnoreRules.parse("# a comment\n\n   \n#*.txt\n*.tmp\n");

        // when / then
        assertThat(rules.ignored("a.txt", FILE)).as("commented-out pattern").isFalse();
        assertThat(rules.ignored("# a comment", FILE)).isFalse();
        assertThat(rules.ignored("b.tmp", FILE)).isTrue();
    }

    @Test
    void aPatternWithoutSlashMatchesTheNameAtAnyDepth() {
        // given
        IgnoreRules rules = IgnoreRules.parse("*.tmp\nThumbs.db\n");

        // when / then
        assertThat(rules.ignored("c.tmp", FILE)).isTrue();
        assertThat(rules.ignored("a/b/c.tmp", FILE)).isTrue();
        assertThat(rules.ignored("a/b/Thumbs.db", FILE)).isTrue();
        assertThat(rules.ignored("a/b/c.tmp.txt", FILE)).isFalse();
        assertThat(rules.ignored("a/b/xThumbs.db", FILE)).isFalse();
        assertThat(rules.ignored("a/b/c.txt", FILE)).isFalse();
    }

    @Test
    void windowsLineEndingsAndAByteOrderMarkAreTolerated() {
        // given
        IgnoreRules rules = IgnoreRules.parse("\uFEFF*.tmp\r\n# comment\r\n/build\r\n");

        // when / then
        assertThat(rules.ignored("a/c.tmp", FILE)).isTrue();
        assertThat(rules.ignored("build", DIR)).isTrue();
    }

    @Test
    void aLeadingOrMiddleSlashAnchorsThePatternToTheRoot() {
        // given
        IgnoreRules rules = IgnoreRules.parse("/build\ndocs/*.pdf\n");

        // when / then
        assertThat(rules.ignored("build", DIR)).isTrue();
        assertThat(rules.ignored("build", FILE)).isTrue();
        assertThat(rules.ignored("build/out.bin", FILE)).as("inside the ignored directory").isTrue();
        assertThat(rules.ignored("src/build", DIR)).isFalse();
        assertThat(rules.ignored("docs/a.pdf", FILE)).isTrue();
        assertThat(rules.ignored("x/docs/a.pdf", FILE)).isFalse();
        assertThat(rules.ignored("docs/sub/a.pdf", FILE)).as("'*' does not cross '/'").isFalse();
    }

    @Test
    void aTrailingSlashMatchesDirectoriesOnly() {
        // given
        IgnoreRules rules = IgnoreRules.parse("logs/\n");

        // when / then
        assertThat(rules.ignored("logs", DIR)).isTrue();
        assertThat(rules.ignored("logs/x.txt", FILE)).isTrue();
        assertThat(rules.ignored("app/logs", DIR)).as("no other slash, so not anchored").isTrue();
        assertThat(rules.ignored("app/logs/deep/x.txt", FILE)).isTrue();
        assertThat(rules.ignored("logs", FILE)).isFalse();
        assertThat(rules.ignored("app/logs", FILE)).isFalse();
    }

    @Test
    void aNegatedPatternIncludesAgainAndTheLastMatchWins() {
        // given
        IgnoreRules rules = IgnoreRules.parse("*.log\n!keep.log\n");

        // when / then
        assertThat(rules.ignored("debug.log", FILE)).isTrue();
        assertThat(rules.ignored("a/debug.log", FILE)).isTrue();
        assertThat(rules.ignored("keep.log", FILE)).isFalse();
        assertThat(rules.ignored("a/keep.log", FILE)).isFalse();
    }

    @Test
    void aLaterPatternOverridesAnEarlierNegation() {
        // given
        IgnoreRules rules = IgnoreRules.parse("*.log\n!keep.log\n/keep.log\n");

        // when / then
        assertThat(rules.ignored("keep.log", FILE)).isTrue();
        assertThat(rules.ignored("a/keep.log", FILE)).isFalse();
    }

    @Test
    void aFileInsideAnIgnoredDirectoryCannotBeIncludedAgain() {
        // given
        IgnoreRules rules = IgnoreRules.parse("logs/\n!logs/keep.txt\n!*.md\n");

        // when
        boolean keepIgnored = rules.ignored("logs/keep.txt", FILE);
        boolean readmeIgnored = rules.ignored("logs/sub/README.md", FILE);

        // then
        assertThat(keepIgnored).isTrue();
        assertThat(readmeIgnored).isTrue();
    }

    @Test
    void filesInsideADirectoryCanBeIncludedAgainWhenOnlyItsContentsAreIgnored() {
        // given: "logs/*" ignores the contents, not the directory itself
        IgnoreRules rules = IgnoreRules.parse("logs/*\n!logs/keep.txt\n");

        // when / then
        assertThat(rules.ignored("logs", DIR)).isFalse();
        assertThat(rules.ignored("logs/other.txt", FILE)).isTrue();
        assertThat(rules.ignored("logs/keep.txt", FILE)).isFalse();
    }

    @Test
    void aLeadingDoubleStarMatchesAtAnyDepth() {
        // given
        IgnoreRules rules = IgnoreRules.parse("**/cache\n**/tmp/*.bin\n");

        // when / then
        assertThat(rules.ignored("cache", DIR)).isTrue();
        assertThat(rules.ignored("a/b/cache", FILE)).isTrue();
        assertThat(rules.ignored("tmp/x.bin", FILE)).isTrue();
        assertThat(rules.ignored("a/b/tmp/x.bin", FILE)).isTrue();
        assertThat(rules.ignored("a/b/tmp/x.txt", FILE)).isFalse();
        assertThat(rules.ignored("a/b/tmp/sub/x.bin", FILE)).isFalse();
    }

    @Test
    void aTrailingDoubleStarMatchesEverythingInsideButNotTheDirectoryItself() {
        // given
        IgnoreRules rules = IgnoreRules.parse("out/**\n");

        // when / then
        assertThat(rules.ignored("out", DIR)).isFalse();
        assertThat(rules.ignored("out/a.txt", FILE)).isTrue();
        assertThat(rules.ignored("out/a/b/c.txt", FILE)).isTrue();
        assertThat(rules.ignored("src/out/a.txt", FILE)).isFalse();
    }

    @Test
    void aMiddleDoubleStarMatchesZeroOrMoreDirectories() {
        // given
        IgnoreRules rules = IgnoreRules.parse("a/**/b\n");

        // when / then
        assertThat(rules.ignored("a/b", FILE)).isTrue();
        assertThat(rules.ignored("a/x/b", FILE)).isTrue();
        assertThat(rules.ignored("a/x/y/b", FILE)).isTrue();
        assertThat(rules.ignored("a/xb", FILE)).isFalse();
        assertThat(rules.ignored("c/a/x/b", FILE)).isFalse();
    }

    @Test
    void aDoubleStarThatIsNotAWholeSegmentIsASingleStar() {
        // given
        IgnoreRules rules = IgnoreRules.parse("/foo**bar\n");

        // when / then
        assertThat(rules.ignored("foobar", FILE)).isTrue();
        assertThat(rules.ignored("foo-x-bar", FILE)).isTrue();
        assertThat(rules.ignored("foo/bar", FILE)).isFalse();
    }

    @Test
    void questionMarkMatchesOneCharacterExceptSlash() {
        // given
        IgnoreRules rules = IgnoreRules.parse("/file?.txt\n");

        // when / then
        assertThat(rules.ignored("file1.txt", FILE)).isTrue();
        assertThat(rules.ignored("file.txt", FILE)).isFalse();
        assertThat(rules.ignored("file12.txt", FILE)).isFalse();
        assertThat(rules.ignored("file/.txt", FILE)).isFalse();
    }

    @Test
    void characterClassesSupportRangesAndNegation() {
        // given
        IgnoreRules rules = IgnoreRules.parse("""
                /log[0-9].txt
                /v[!a-c].bin
                /w[^xy].bin
                /[]]z
                /n[[:digit:]]
                /[ab-].c
                """);

        // when / then
        assertThat(rules.ignored("log5.txt", FILE)).isTrue();
        assertThat(rules.ignored("logx.txt", FILE)).isFalse();
        assertThat(rules.ignored("vd.bin", FILE)).isTrue();
        assertThat(rules.ignored("vb.bin", FILE)).isFalse();
        assertThat(rules.ignored("wz.bin", FILE)).isTrue();
        assertThat(rules.ignored("wx.bin", FILE)).isFalse();
        assertThat(rules.ignored("]z", FILE)).as("']' first in a class is literal").isTrue();
        assertThat(rules.ignored("n7", FILE)).isTrue();
        assertThat(rules.ignored("nx", FILE)).isFalse();
        assertThat(rules.ignored("-.c", FILE)).as("'-' last in a class is literal").isTrue();
        assertThat(rules.ignored("b.c", FILE)).isTrue();
        assertThat(rules.ignored("c.c", FILE)).isFalse();
    }

    @Test
    void anUnclosedBracketIsLiteral() {
        // given
        IgnoreRules rules = IgnoreRules.parse("/a[b\n");

        // when / then
        assertThat(rules.ignored("a[b", FILE)).isTrue();
        assertThat(rules.ignored("ab", FILE)).isFalse();
    }

    @Test
    void regexMetacharactersAreLiteral() {
        // given
        IgnoreRules rules = IgnoreRules.parse("/a.b+(c)$\n/{x}|y\n");

        // when / then
        assertThat(rules.ignored("a.b+(c)$", FILE)).isTrue();
        assertThat(rules.ignored("aXb+(c)$", FILE)).isFalse();
        assertThat(rules.ignored("{x}|y", FILE)).isTrue();
        assertThat(rules.ignored("y", FILE)).isFalse();
    }

    @Test
    void backslashEscapesHashBangAndWildcards() {
        // given
        IgnoreRules rules = IgnoreRules.parse("""
                \\#notes.txt
                \\!important.txt
                /star\\*
                """);

        // when / then
        assertThat(rules.ignored("#notes.txt", FILE)).isTrue();
        assertThat(rules.ignored("a/#notes.txt", FILE)).isTrue();
        assertThat(rules.ignored("!important.txt", FILE)).isTrue();
        assertThat(rules.ignored("important.txt", FILE)).as("'\\!' is not a negation").isFalse();
        assertThat(rules.ignored("star*", FILE)).isTrue();
        assertThat(rules.ignored("stars", FILE)).isFalse();
    }

    @Test
    void trailingSpacesAreTrimmedUnlessEscaped() {
        // given
        IgnoreRules rules = IgnoreRules.parse("/a.txt   \n/b\\ \n");

        // when / then
        assertThat(rules.ignored("a.txt", FILE)).isTrue();
        assertThat(rules.ignored("a.txt   ", FILE)).isFalse();
        assertThat(rules.ignored("b ", FILE)).isTrue();
        assertThat(rules.ignored("b", FILE)).isFalse();
    }

    @Test
    void aLoneSlashOrBangIsNotARule() {
        // given
        IgnoreRules rules = IgnoreRules.parse("/\n!\n");

        // when / then
        assertThat(rules.ignored("a", FILE)).isFalse();
        assertThat(rules.ignored("a", DIR)).isFalse();
    }
}
