package io.facegate.vision;

/**
 * A 2-D similarity transform (rotation, uniform scale, translation):
 * {@code x' = a*x - b*y + tx, y' = b*x + a*y + ty}. Estimated by least squares (the Umeyama solution without
 * reflection), which keeps faces unsheared, unlike a 3-point affine.
 */
public record SimilarityTransform(double a, double b, double tx, double ty) {

    /** ArcFace's canonical 5-point positions in a 112x112 crop. */
    public static final double[] ARCFACE_112 = {
            38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041};

    /** The least-squares similarity taking points {@code src} onto {@code dst} (both x,y interleaved). */
    public static SimilarityTransform estimate(double[] src, double[] dst) {
        if (src.length != dst.length || src.length < 4 || src.length % 2 != 0) {
            throw new IllegalArgumentException("need two equal lists of at least 2 points");
        }
        int n = src.length / 2;
        double msx = 0, msy = 0, mdx = 0, mdy = 0;
        for (int i = 0; i < n; i++) {
            msx += src[2 * i];
            msy += src[2 * i + 1];
            mdx += dst[2 * i];
            mdy += dst[2 * i + 1];
        }
        msx /= n;
        msy /= n;
        mdx /= n;
        mdy /= n;
        double dotSum = 0, crossSum = 0, norm = 0;
        for (int i = 0; i < n; i++) {
            double sx = src[2 * i] - msx, sy = src[2 * i + 1] - msy;
            double dx = dst[2 * i] - mdx, dy = dst[2 * i + 1] - mdy;
            dotSum += sx * dx + sy * dy;
            crossSum += sx * dy - sy * dx;
            norm += sx * sx + sy * sy;
        }
        if (norm == 0) {
            throw new IllegalArgumentException("source points are all the same");
        }
        double a = dotSum / norm;
        double b = crossSum / norm;
        return new SimilarityTransform(a, b, mdx - (a * msx - b * msy), mdy - (b * msx + a * msy));
    }

    /**
     * Root-mean-square distance between this transform applied to {@code src} and {@code dst}, in {@code dst}'s
     * units: how well the points fit the shape of the target beyond rotation, scale and translation.
     */
    public double rmsResidual(double[] src, double[] dst) {
        if (src.length != dst.length || src.length % 2 != 0) {
            throw new IllegalArgumentException("need two equal lists of points");
        }
        double sum = 0;
        for (int i = 0; i < src.length; i += 2) {
            double[] p = apply(src[i], src[i + 1]);
            sum += (p[0] - dst[i]) * (p[0] - dst[i]) + (p[1] - dst[i + 1]) * (p[1] - dst[i + 1]);
        }
        return Math.sqrt(sum / (src.length / 2));
    }

    public double[] apply(double x, double y) {
        return new double[] {a * x - b * y + tx, b * x + a * y + ty};
    }

    public double scale() {
        return Math.hypot(a, b);
    }

    public double rotationRadians() {
        return Math.atan2(b, a);
    }

    /** Row-major 2x3 matrix as OpenCV's warpAffine wants it. */
    public double[] toAffine() {
        return new double[] {a, -b, tx, b, a, ty};
    }
}
