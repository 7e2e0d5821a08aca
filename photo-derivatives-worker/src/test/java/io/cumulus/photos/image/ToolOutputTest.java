package io.cumulus.photos.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a tool's failure leaves in a photo's reason: the same words from one run to the next. */
class ToolOutputTest {

    @Test
    void aReasonKeepsNoProcessIdClockTimeOrWorkingFilePath() {
        String first = new Subprocess.Result(1, "(vipsheader:14525): VIPS-WARNING **: 13:17:56.743: not enough data\nmore", false)
                .firstLine();
        String second = new Subprocess.Result(1, "(vipsheader:2210): VIPS-WARNING **: 09:01:02.003: not enough data", false)
                .firstLine();

        assertThat(first).isEqualTo("vipsheader: not enough data").isEqualTo(second);
    }

    @Test
    void aWorkingFilesPathBecomesTheFile() {
        String reason = new Subprocess.Result(1,
                "VipsForeignLoad: \"/tmp/cumulus/photos/original-8812734.bin\" is not a known file format", false)
                .firstLine();

        assertThat(reason).isEqualTo("VipsForeignLoad: the file is not a known file format");
        assertThat(new Subprocess.Result(1, "vipsheader: VipsJpeg: Bogus Huffman table definition", false).firstLine())
                .isEqualTo("vipsheader: VipsJpeg: Bogus Huffman table definition");
    }
}
