package io.cumulus.ingest.photos;

import java.math.BigDecimal;
import java.math.RoundingMode;

import io.cumulus.ingest.web.InvalidRequestException;

/**
 * A grid over the globe for counting photos by place: at precision {@code p} a cell is
 * {@code 10^(1-p)} degrees of latitude by as many of longitude (precision 0: 10 degrees; 1: 1 degree,
 * about 100 km; 3: about 1 km; 5: about 10 m). A photo belongs to the cell whose south-west corner is
 * its coordinates rounded down to the cell size, computed in decimal so that 0.3 at 0.1 degrees is
 * cell 3, not cell 2 as binary floating point would have it.
 */
public record PlaceGrid(int precision) {
    public static final int MIN_PRECISION = 0;
    public static final int MAX_PRECISION = 5;
    public static final int DEFAULT_PRECISION = 1;

    public PlaceGrid {
        if (precision < MIN_PRECISION || precision > MAX_PRECISION) {
            throw new InvalidRequestException("invalid-parameter", "Invalid query parameter",
                    "precision must be from " + MIN_PRECISION + " to " + MAX_PRECISION).with("parameter", "precision");
        }
    }

    /** One cell: its south-west corner and its size, all in degrees. */
    public record Cell(BigDecimal south, BigDecimal west, BigDecimal size) {
        public BigDecimal north() {
            return south.add(size);
        }

        public BigDecimal east() {
            return west.add(size);
        }
    }

    public BigDecimal cellDegrees() {
        return BigDecimal.ONE.movePointLeft(precision - 1).stripTrailingZeros();
    }

    public Cell cellOf(double latitude, double longitude) {
        return new Cell(floor(latitude), floor(longitude), cellDegrees());
    }

    private BigDecimal floor(double degrees) {
        // Shift the cell size's decimal point away, round down to an integer, shift it back.
        return BigDecimal.valueOf(degrees).movePointRight(precision - 1).setScale(0, RoundingMode.FLOOR)
                .movePointLeft(precision - 1).stripTrailingZeros();
    }
}
