package io.cumulus.standalone.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.cumulus.standalone.rebuild.RebuildCommand.Abort;
import io.cumulus.standalone.rebuild.RebuildCommand.BadUsage;
import io.cumulus.standalone.rebuild.RebuildCommand.Start;
import io.cumulus.standalone.rebuild.RebuildCommand.Status;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RebuildCommandTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aProjectionStartsARebuildAndWaitsForItUnlessToldNotTo() {
        assertThat(RebuildCommand.parse(List.of("readmodel", "--port=9090")))
                .isEqualTo(new Start("readmodel", true, List.of("--port=9090")));
        assertThat(RebuildCommand.parse(List.of("--no-wait", "photos")))
                .isEqualTo(new Start("photos", false, List.of()));
    }

    @Test
    void statusTakesAnOptionalIdAndAbortARequiredOne() {
        assertThat(RebuildCommand.parse(List.of("--status"))).isEqualTo(new Status(Optional.empty(), List.of()));
        assertThat(RebuildCommand.parse(List.of("--status", "abc", "--data-dir=/d")))
                .isEqualTo(new Status(Optional.of("abc"), List.of("--data-dir=/d")));
        assertThat(RebuildCommand.parse(List.of("--abort=abc"))).isEqualTo(new Abort("abc", List.of()));
        assertThat(RebuildCommand.parse(List.of("--abort", "abc"))).isEqualTo(new Abort("abc", List.of()));
    }

    @Test
    void wrongUsageIsRefusedWithTheReason() {
        assertThatThrownBy(() -> RebuildCommand.parse(List.of())).isInstanceOf(BadUsage.class).hasMessageContaining("needs a projection");
        assertThatThrownBy(() -> RebuildCommand.parse(List.of("--abort"))).isInstanceOf(BadUsage.class).hasMessageContaining("id");
        assertThatThrownBy(() -> RebuildCommand.parse(List.of("readmodel", "photos"))).isInstanceOf(BadUsage.class)
                .hasMessageContaining("one projection at a time");
        assertThatThrownBy(() -> RebuildCommand.parse(List.of("--status", "--abort", "x"))).isInstanceOf(BadUsage.class);
        assertThatThrownBy(() -> RebuildCommand.parse(List.of("readmodel", "--abort", "x"))).isInstanceOf(BadUsage.class);
    }

    @Test
    void wrongUsageExitsTwoWithTheUsageAndTouchesNoServer() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RebuildCommand.run(List.of("--abort"), Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(RebuildCommand.FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--abort needs the rebuild's id").contains("usage: cumulus admin rebuild");
    }

    @Test
    void aProgressLineSaysThePhaseTheRecordsTheRateAndWhatIsLeft() {
        JsonNode status = JSON.readTree("""
                {"projection":"readmodel","phase":"catching-up","generation":2,"done":12345,"total":40000,
                 "recordsPerSecond":2100.4,"secondsLeft":13}""");
        assertThat(RebuildCommand.progressLine(status))
                .isEqualTo("readmodel: catching up 12,345/40,000 records (30%), 2,100/s, about 13 s left");
    }

    @Test
    void aProgressLineWithoutARateYetSaysNoEstimate() {
        JsonNode status = JSON.readTree("""
                {"projection":"photos","phase":"building","generation":3,"done":0,"total":0,"recordsPerSecond":0,"secondsLeft":null}""");
        assertThat(RebuildCommand.progressLine(status)).isEqualTo("photos: building 0/0 records");
    }

    @Test
    void theLastLineSaysWhetherItSwitched() {
        assertThat(RebuildCommand.resultLine(JSON.readTree("{\"projection\":\"chunk-refs\",\"phase\":\"done\",\"generation\":2}")))
                .isEqualTo("cumulus: chunk-refs switched to generation 2; the old generation was dropped");
        assertThat(RebuildCommand.resultLine(JSON.readTree("{\"projection\":\"photos\",\"phase\":\"aborted\",\"generation\":2}")))
                .contains("aborted").contains("unchanged");
        assertThat(RebuildCommand.resultLine(JSON.readTree("{\"projection\":\"photos\",\"phase\":\"failed\",\"error\":\"boom\"}")))
                .contains("failed: boom");
    }

    @Test
    void longEstimatesAreInMinutesAndHours() {
        assertThat(RebuildCommand.duration(90)).isEqualTo("90 s");
        assertThat(RebuildCommand.duration(600)).isEqualTo("10 min");
        assertThat(RebuildCommand.duration(3 * 3600)).isEqualTo("3.0 h");
    }
}
