package io.facegate.vision;

import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.meanStdDev;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.Laplacian;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * How much one face can be trusted, measured once per face where the data is (the landmarks, the aligned crop and
 * the embedder's raw output). Nothing here decides: the access policy sets the gates. None of these values carries
 * biometric identity, so they may be logged; the embedding itself may not.
 *
 * <p>What published work says is good: ISO/IEC 29794-5 (face image quality; reference implementation OFIQ) measures
 * inter-eye distance, head pose, sharpness and contrast among others; ISO/IEC 19794-5 and ICAO 9303 portraits ask
 * for at least 90 pixels between the eye centres (120 preferred) and a frontal pose within about 5 degrees of yaw
 * and pitch and 8 of roll. Those are enrolment-photo rules; a door camera sees less and still matches well down to
 * a few tens of pixels between the eyes and a few tens of degrees of turn. MagFace (Meng et al., CVPR 2021) showed
 * that the norm of a face embedding before normalisation grows with how recognisable the face is; our
 * MobileFaceNet was not trained for that, but its low norms still mark the faces it gets wrong.
 *
 * @param embeddingNorm      L2 norm of the embedder's output before normalisation; model-specific units (about 3
 *                           to 5 on good photos with the default model), higher means more recognisable; measure
 *                           its distribution on the door's own faces before gating on it
 * @param sharpness          standard deviation of the Laplacian of the aligned 112x112 grey face divided by the
 *                           standard deviation of the grey levels, both over the central face region: a ratio,
 *                           0 for a flat patch, independent of contrast (a face half as bright has the same
 *                           value); blur and upsampling of small faces lower it, noise raises it
 * @param contrast           standard deviation of the grey levels (0..255) over the same central region; a dark
 *                           or washed-out face has little
 * @param interEyeDistancePx distance between the eye centres in the source image's pixels
 * @param yawDegrees         head turn estimated from the nose's offset from the eye-mouth midline, in degrees;
 *                           0 is frontal, positive when the nose points to the image's right; an estimate from a
 *                           generic head (nose tip {@value #NOSE_DEPTH_PER_EYE_DISTANCE} inter-eye distances in
 *                           front of the eyes and mouth), good to several degrees; NaN when the points do not
 *                           describe an upright face
 * @param pitchDegrees       head nod from the nose's height between the eye line and the mouth line, against a
 *                           frontal face's (the 68-point mean shape); positive when the chin is raised; NaN as yaw
 * @param rollDegrees        angle of the eye line in the image, positive when the right eye (as seen) is lower;
 *                           alignment removes roll, so it matters only for extreme values (a lying head)
 * @param alignmentResidual  root-mean-square distance, in pixels of the 112x112 template, between the five points
 *                           after the best similarity transform and the ArcFace template (0 = the template's shape);
 *                           it grows with head turn and nod and with misplaced landmarks
 */
public record FaceQuality(double embeddingNorm, double sharpness, double contrast, double interEyeDistancePx,
                          double yawDegrees, double pitchDegrees, double rollDegrees, double alignmentResidual) {

    /**
     * Nose tip depth in front of the eye centres and mouth corners, in inter-eye distances: about 20 mm against
     * about 62 mm between the eye centres in adult anthropometric tables and generic 3-D head models.
     */
    public static final double NOSE_DEPTH_PER_EYE_DISTANCE = 0.35;

    /**
     * The central face region of the aligned 112x112 crop (eyebrows to below the mouth, cheek to cheek): it
     * holds face, not background or the black corners alignment leaves, whatever the photo.
     */
    static final int REGION_X = 24;
    static final int REGION_Y = 32;
    static final int REGION_W = 64;
    static final int REGION_H = 72;

    /** {sharpness, contrast} of an aligned 112x112 BGR face; see the record's parameters. */
    static double[] sharpnessAndContrast(Mat aligned112) {
        try (Rect r = new Rect(REGION_X, REGION_Y, REGION_W, REGION_H);
             Mat region = new Mat(aligned112, r);
             Mat grey = new Mat();
             Mat lap = new Mat();
             Mat mean = new Mat();
             Mat greyStd = new Mat();
             Mat lapStd = new Mat()) {
            cvtColor(region, grey, COLOR_BGR2GRAY);
            meanStdDev(grey, mean, greyStd);
            Laplacian(grey, lap, CV_64F);
            meanStdDev(lap, mean, lapStd);
            double contrast = first(greyStd);
            double sharpness = contrast < 1e-9 ? 0 : first(lapStd) / contrast;
            return new double[] {sharpness, contrast};
        }
    }

    private static double first(Mat m) {
        try (DoubleIndexer i = m.createIndexer()) {
            return i.get(0);
        }
    }

    /** Head pose from five points (x,y interleaved, in the order of {@link DetectedFace}): {yaw, pitch, roll}. */
    static double[] pose(float[] five) {
        double lx = five[0], ly = five[1], rx = five[2], ry = five[3];
        double dx = rx - lx, dy = ry - ly;
        double eyes = Math.hypot(dx, dy);
        double roll = Math.toDegrees(Math.atan2(dy, dx));
        if (eyes < 1e-6) {
            return new double[] {Double.NaN, Double.NaN, roll};
        }
        // a frame that turns with the eye line: u along it, v perpendicular, pointing down the face
        double ux = dx / eyes, uy = dy / eyes;
        double[] eye = {(lx + rx) / 2, (ly + ry) / 2};
        double[] mouth = {(five[6] + five[8]) / 2, (five[7] + five[9]) / 2};
        double[] nose = {five[4], five[5]};
        double mu = (mouth[0] - eye[0]) * ux + (mouth[1] - eye[1]) * uy;
        double mv = -(mouth[0] - eye[0]) * uy + (mouth[1] - eye[1]) * ux;
        double nu = (nose[0] - eye[0]) * ux + (nose[1] - eye[1]) * uy;
        double nv = -(nose[0] - eye[0]) * uy + (nose[1] - eye[1]) * ux;
        if (mv < 1e-6) {
            // the mouth is not below the eyes: the points do not describe an upright face
            return new double[] {Double.NaN, Double.NaN, roll};
        }
        // yaw: the nose tip stands in front of the face plane, so turning the head by t moves it sideways from the
        // eye-mouth midline by depth*sin(t) while the eye distance shrinks to eyes0*cos(t)
        double midlineAtNose = mu * (nv / mv);
        double yaw = Math.toDegrees(Math.atan((nu - midlineAtNose) / (NOSE_DEPTH_PER_EYE_DISTANCE * eyes)));
        // pitch: the same for the nose's height between the eye and mouth lines, against a frontal face's
        double depthPerEyeMouth = NOSE_DEPTH_PER_EYE_DISTANCE * MEAN_SHAPE_EYE_DISTANCE / MEAN_SHAPE_EYE_MOUTH;
        double pitch = Math.toDegrees(Math.atan((FRONTAL_NOSE_RATIO - nv / mv) / depthPerEyeMouth));
        return new double[] {yaw, pitch, roll};
    }

    /*
     * The frontal reference for pitch: the mean 68-point face shape of the iBUG 300-W annotation scheme our landmark
     * model follows (as published with OpenFace's dlib alignment), reduced to our five points: eye centres (means
     * of 36..41 and 42..47), nose tip (30) and mouth corners (48, 54), in units of the shape's width. The ArcFace
     * template is not used here: its nose point comes from another detector and sits higher than point 30.
     */
    private static final double MEAN_SHAPE_EYE_Y = (0.329309 + 0.322032) / 2;
    private static final double MEAN_SHAPE_NOSE_Y = 0.553158;
    private static final double MEAN_SHAPE_MOUTH_Y = (0.746189 + 0.739419) / 2;
    private static final double MEAN_SHAPE_EYE_DISTANCE = 0.709100 - 0.326658;
    private static final double MEAN_SHAPE_EYE_MOUTH = MEAN_SHAPE_MOUTH_Y - MEAN_SHAPE_EYE_Y;
    /** Where the nose tip sits between the eye line (0) and the mouth line (1) in a frontal face: about 0.55. */
    private static final double FRONTAL_NOSE_RATIO = (MEAN_SHAPE_NOSE_Y - MEAN_SHAPE_EYE_Y) / MEAN_SHAPE_EYE_MOUTH;
}
