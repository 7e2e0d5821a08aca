package io.cumulus.ingest.photos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

import io.cumulus.ingest.web.InvalidRequestException;

class PlaceGridTest {

    @Test
    void eachPrecisionStepMakesCellsTenTimesSmaller() {
        assertThat(new PlaceGrid(0).cellDegrees()).isEqualByComparingTo("10");
        assertThat(new PlaceGrid(1).cellDegrees()).isEqualByComparingTo("1");
        assertThat(new PlaceGrid(3).cellDegrees()).isEqualByComparingTo("0.01");
        assertThat(new PlaceGrid(5).cellDegrees()).isEqualByComparingTo("0.0001");
    }

    @Test
    void aPlaceBelongsToTheCellOfItsCoordinatesRoundedDown() {
        PlaceGrid.Cell cell = new PlaceGrid(2).cellOf(48.8584, 2.2945);

        assertThat(cell.south()).isEqualByComparingTo("48.8");
        assertThat(cell.west()).isEqualByComparingTo("2.2");
        assertThat(cell.north()).isEqualByComparingTo("48.9");
        assertThat(cell.east()).isEqualByComparingTo("2.3");
    }

    @Test
    void negativeCoordinatesRoundTowardsTheSouthAndWest() {
        PlaceGrid.Cell cell = new PlaceGrid(1).cellOf(-33.8568, -70.6483);

        assertThat(cell.south()).isEqualByComparingTo("-34");
        assertThat(cell.west()).isEqualByComparingTo("-71");
    }

    @Test
    void aCoordinateOnACellBoundaryIsInTheCellItStarts() {
        // 0.3 / 0.1 is 2.9999999999999996 in binary floating point
        assertThat(new PlaceGrid(2).cellOf(0.3, 0.7).south()).isEqualByComparingTo(new BigDecimal("0.3"));
        assertThat(new PlaceGrid(2).cellOf(0.3, 0.7).west()).isEqualByComparingTo(new BigDecimal("0.7"));
    }

    @Test
    void twoPlacesInOneCellShareIt() {
        PlaceGrid grid = new PlaceGrid(1);

        assertThat(grid.cellOf(48.1, 2.9)).isEqualTo(grid.cellOf(48.9, 2.1));
        assertThat(grid.cellOf(48.1, 2.9)).isNotEqualTo(grid.cellOf(49.1, 2.9));
    }

    @Test
    void aPrecisionOutsideTheGridsIsABadRequest() {
        assertThatThrownBy(() -> new PlaceGrid(6)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> new PlaceGrid(-1)).isInstanceOf(InvalidRequestException.class);
    }
}
