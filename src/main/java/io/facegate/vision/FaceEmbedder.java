package io.facegate.vision;

import org.bytedeco.opencv.opencv_core.Mat;

/** MobileFaceNet: an aligned 112x112 face in, a unit-length 512-d embedding out. */
public final class FaceEmbedder {
    private final OnnxModel model;

    public FaceEmbedder(OnnxModel model) {
        this.model = model;
    }

    /** Unit-length embedding. */
    public float[] embed(Mat aligned112) {
        return Embeddings.normalize(embedRaw(aligned112));
    }

    /** The model's output as it is, before L2 normalisation: its norm is a quality signal (see FaceQuality). */
    float[] embedRaw(Mat aligned112) {
        try (Mat blob = Blobs.blob(aligned112, FaceAligner.SIZE, FaceAligner.SIZE, 127, 1 / 128.0, true)) {
            return model.run(Blobs.view(blob))[0];
        }
    }

    public int dimension() {
        return (int) model.entry().outputs().get(0).shape()[1];
    }
}
