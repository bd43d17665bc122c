package io.facegate.vision;

import org.bytedeco.opencv.opencv_core.Mat;

/** MobileFaceNet: an aligned 112x112 face in, a unit-length 512-d embedding out. */
public final class FaceEmbedder {
    private final OnnxModel model;

    public FaceEmbedder(OnnxModel model) {
        this.model = model;
    }

    public float[] embed(Mat aligned112) {
        try (Mat blob = Blobs.blob(aligned112, FaceAligner.SIZE, FaceAligner.SIZE, 127, 1 / 128.0, true)) {
            return Embeddings.normalize(model.run(Blobs.view(blob))[0]);
        }
    }

    public int dimension() {
        return (int) model.entry().outputs().get(0).shape()[1];
    }
}
