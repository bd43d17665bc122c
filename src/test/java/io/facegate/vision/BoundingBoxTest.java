package io.facegate.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BoundingBoxTest {

    @Test
    void sizes() {
        BoundingBox b = new BoundingBox(10, 20, 40, 60);
        assertEquals(30f, b.width());
        assertEquals(40f, b.height());
        assertEquals(1200f, b.area());
    }

    @Test
    void iouOfIdenticalDisjointTouchingAndOverlappingBoxes() {
        BoundingBox a = new BoundingBox(0, 0, 10, 10);
        assertEquals(1f, a.iou(new BoundingBox(0, 0, 10, 10)));
        assertEquals(0f, a.iou(new BoundingBox(20, 20, 30, 30)));
        assertEquals(0f, a.iou(new BoundingBox(10, 0, 20, 10)), "sharing an edge is no overlap");
        // half shifted: intersection 50, union 150
        assertEquals(1f / 3f, a.iou(new BoundingBox(5, 0, 15, 10)), 1e-6);
        // contained: 25 / 100
        assertEquals(0.25f, a.iou(new BoundingBox(0, 0, 5, 5)), 1e-6);
        BoundingBox b = new BoundingBox(3, 4, 17, 9);
        assertEquals(a.iou(b), b.iou(a), "symmetric");
    }

    @Test
    void emptyBoxesOverlapNothing() {
        BoundingBox point = new BoundingBox(5, 5, 5, 5);
        assertEquals(0f, point.iou(point));
    }

    @Test
    void rejectsInvertedOrNaNCorners() {
        assertThrows(IllegalArgumentException.class, () -> new BoundingBox(10, 0, 5, 10));
        assertThrows(IllegalArgumentException.class, () -> new BoundingBox(0, 0, Float.NaN, 10));
    }
}
