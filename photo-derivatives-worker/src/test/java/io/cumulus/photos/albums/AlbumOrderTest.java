package io.cumulus.photos.albums;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class AlbumOrderTest {

    @Test
    void addedPhotosGoAtTheEndWithoutABefore() {
        assertThat(AlbumOrder.add(List.of("a", "b"), List.of("c", "d"), null)).containsExactly("a", "b", "c", "d");
    }

    @Test
    void addedPhotosGoBeforeTheNamedPhotoInTheirOwnOrder() {
        assertThat(AlbumOrder.add(List.of("a", "b", "c"), List.of("y", "x"), "b")).containsExactly("a", "y", "x", "b", "c");
    }

    @Test
    void aBeforeNoLongerInTheAlbumPutsThemAtTheEnd() {
        assertThat(AlbumOrder.add(List.of("a"), List.of("x"), "gone")).containsExactly("a", "x");
    }

    @Test
    void aPhotoAlreadyInTheAlbumIsNotAddedTwiceNorMoved() {
        assertThat(AlbumOrder.add(List.of("a", "b"), List.of("b", "c", "c"), "a")).containsExactly("c", "a", "b");
    }

    @Test
    void removingKeepsTheOthersInOrderAndIgnoresPhotosNotInTheAlbum() {
        assertThat(AlbumOrder.remove(List.of("a", "b", "c"), List.of("b", "zz"))).containsExactly("a", "c");
    }

    @Test
    void aReorderPutsTheNamedPhotosFirstAndKeepsTheUnnamedOnesAfterInTheirOrder() {
        assertThat(AlbumOrder.reorder(List.of("a", "b", "c", "d"), List.of("d", "zz", "b"))).containsExactly("d", "b", "a", "c");
    }

    @Test
    void aFullReorderIsTheNewOrder() {
        assertThat(AlbumOrder.reorder(List.of("a", "b", "c"), List.of("c", "a", "b"))).containsExactly("c", "a", "b");
    }
}
