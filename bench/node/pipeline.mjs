#!/usr/bin/env node
// Node.js baseline of the facegate face pipeline: decode, detect, landmarks, align, embed, the same three models
// and the same pre-processing as io.facegate.vision (see /work/shared/models.md and FacePipeline.java). It exists
// only so that `facegate bench verify` has a fair number to beat: one thread everywhere, as the Java run uses one
// intra-op thread, and the pairwise AUC printed as proof that the two pipelines compute the same thing.
//
// Usage: node pipeline.mjs --dataset DIR --models DIR [--json]

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';

const EXTENSIONS = new Set(['jpg', 'jpeg', 'png', 'webp']);
const WARMUP_PHOTOS = 3;
const DETECT_W = 320;
const DETECT_H = 240;
const DETECT_SCORE = 0.65;
const NMS_IOU = 0.4;
const PAD_FRACTION = 0.5;
const LANDMARK_SIZE = 64;
const ALIGN_SIZE = 112;
/** ArcFace's canonical 5-point positions in a 112x112 crop. */
const ARCFACE_112 = [38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041];
const STAGES = ['decode', 'detect', 'landmarks', 'align', 'embed', 'total'];

// One thread for libvips too, and no operation cache: the warm-up photos are decoded again when measured.
sharp.concurrency(1);
sharp.cache(false);

// ---------------------------------------------------------------------------------------------------------------
// images: raw RGB, 3 bytes a pixel, row-major. Geometry mirrors the Java code's float (32-bit) arithmetic.

/**
 * Reads and decodes a photo like cv::imdecode(IMREAD_COLOR): EXIF orientation applied, grey and alpha to RGB, an
 * embedded ICC profile ignored (OpenCV does not colour-manage).
 */
async function decode(path) {
    const bytes = readFileSync(path);
    const { data, info } = await sharp(bytes, { ignoreIcc: true }).rotate().removeAlpha().toColourspace('srgb').raw()
        .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
        throw new Error(`${path}: decoded to ${info.channels} channels, expected 3`);
    }
    return { data, width: info.width, height: info.height };
}

/** cvRound: round half to even, as OpenCV's saturate_cast<int> of a floating-point value. */
function rint(v) {
    const r = Math.round(v);
    return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const f32 = Math.fround;

/**
 * cv::resize(INTER_LINEAR) of the image framed by a black border of {@code pad} pixels, straight into an NCHW
 * float blob (v - mean) * scale, channels R,G,B: what Blobs.blob does (after copyMakeBorder when padded). It
 * reproduces OpenCV's 8-bit fixed-point arithmetic (11-bit weights, the SIMD vertical pass) so that the detector
 * sees the same pixels as in Java; blobFromImage resizes the 8-bit image before normalising.
 */
function resizeToBlob(img, pad, outW, outH, mean, scale, out) {
    const { data, width, height } = img;
    const xs = axis(width + 2 * pad, outW, true);
    const ys = axis(height + 2 * pad, outH, false);
    const plane = outW * outH;
    const px = (x, y, c) => {
        const ix = x - pad;
        const iy = y - pad;
        return ix < 0 || iy < 0 || ix >= width || iy >= height ? 0 : data[(iy * width + ix) * 3 + c];
    };
    for (let dy = 0; dy < outH; dy++) {
        const y0 = ys.i0[dy];
        const y1 = ys.i1[dy];
        const b0 = ys.w0[dy];
        const b1 = ys.w1[dy];
        for (let dx = 0; dx < outW; dx++) {
            const x0 = xs.i0[dx];
            const x1 = xs.i1[dx];
            const a0 = xs.w0[dx];
            const a1 = xs.w1[dx];
            const o = dy * outW + dx;
            for (let c = 0; c < 3; c++) {
                const top = px(x0, y0, c) * a0 + px(x1, y0, c) * a1;
                const bottom = px(x0, y1, c) * a0 + px(x1, y1, c) * a1;
                const v = ((((top >> 4) * b0) >> 16) + (((bottom >> 4) * b1) >> 16) + 2) >> 2;
                out[c * plane + o] = (Math.max(0, Math.min(255, v)) - mean) * scale;
            }
        }
    }
    return out;
}

/** Source indices and 11-bit weights of one axis of cv::resize(INTER_LINEAR) on 8-bit images. */
function axis(inSize, outSize, horizontal) {
    const s = 1 / (outSize / inSize);
    const i0 = new Int32Array(outSize);
    const i1 = new Int32Array(outSize);
    const w0 = new Int32Array(outSize);
    const w1 = new Int32Array(outSize);
    for (let d = 0; d < outSize; d++) {
        let f = f32((d + 0.5) * s - 0.5);
        let i = Math.floor(f);
        f = f32(f - i);
        if (horizontal && i < 0) {
            i = 0;
            f = 0;
        }
        if (horizontal && i >= inSize - 1) {
            i = inSize - 1;
            f = 0;
        }
        i0[d] = Math.max(0, Math.min(i, inSize - 1));
        i1[d] = Math.max(0, Math.min(i + 1, inSize - 1));
        w0[d] = rint(f32(1 - f) * 2048);
        w1[d] = rint(f * 2048);
    }
    return { i0, i1, w0, w1 };
}

/**
 * cv::warpAffine(INTER_LINEAR, BORDER_CONSTANT black) with a forward 2x3 matrix {@code m}, in OpenCV's fixed
 * point: the matrix is inverted, sampling positions are quantised to 1/32 pixel, 15-bit weights, and neighbours
 * outside the image count as black.
 */
function warpAffine(img, m, outW, outH) {
    const { data, width, height } = img;
    let det = m[0] * m[4] - m[1] * m[3];
    det = det !== 0 ? 1 / det : 0;
    const m0 = m[4] * det;
    const m1 = -m[1] * det;
    const m3 = -m[3] * det;
    const m4 = m[0] * det;
    const m2 = -m0 * m[2] - m1 * m[5];
    const m5 = -m3 * m[2] - m4 * m[5];
    const adelta = new Int32Array(outW);
    const bdelta = new Int32Array(outW);
    for (let x = 0; x < outW; x++) {
        adelta[x] = rint(m0 * x * 1024);
        bdelta[x] = rint(m3 * x * 1024);
    }
    const out = new Uint8Array(outW * outH * 3);
    for (let y = 0; y < outH; y++) {
        const X0 = rint((m1 * y + m2) * 1024) + 16;
        const Y0 = rint((m4 * y + m5) * 1024) + 16;
        for (let x = 0; x < outW; x++) {
            const X = (X0 + adelta[x]) >> 5;
            const Y = (Y0 + bdelta[x]) >> 5;
            const x0 = X >> 5;
            const y0 = Y >> 5;
            const kx = X & 31;
            const ky = Y & 31;
            if (x0 >= width || x0 + 1 < 0 || y0 >= height || y0 + 1 < 0) {
                continue; // entirely outside: stays black
            }
            const w00 = (32 - kx) * (32 - ky) * 32;
            const w01 = kx * (32 - ky) * 32;
            const w10 = (32 - kx) * ky * 32;
            const w11 = kx * ky * 32;
            const inX0 = x0 >= 0;
            const inX1 = x0 + 1 < width;
            const inY0 = y0 >= 0;
            const inY1 = y0 + 1 < height;
            const p00 = (y0 * width + x0) * 3;
            const p10 = p00 + width * 3;
            const o = (y * outW + x) * 3;
            for (let c = 0; c < 3; c++) {
                const v00 = inX0 && inY0 ? data[p00 + c] : 0;
                const v01 = inX1 && inY0 ? data[p00 + 3 + c] : 0;
                const v10 = inX0 && inY1 ? data[p10 + c] : 0;
                const v11 = inX1 && inY1 ? data[p10 + 3 + c] : 0;
                const v = (v00 * w00 + v01 * w01 + v10 * w10 + v11 * w11 + (1 << 14)) >> 15;
                out[o + c] = v > 255 ? 255 : v;
            }
        }
    }
    return { data: out, width: outW, height: outH };
}

// ---------------------------------------------------------------------------------------------------------------
// models

async function openSession(path) {
    return ort.InferenceSession.create(path, {
        executionProviders: ['cpu'],
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
    });
}

async function run(session, blob, dims) {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', blob, dims) });
    return session.outputNames.map((name) => out[name].data);
}

class Pipeline {
    constructor(detect, landmark, feature) {
        this.detectModel = detect;
        this.landmarkModel = landmark;
        this.featureModel = feature;
        this.detectBlob = new Float32Array(3 * DETECT_W * DETECT_H);
        this.landmarkBlob = new Float32Array(LANDMARK_SIZE * LANDMARK_SIZE);
        this.featureBlob = new Float32Array(3 * ALIGN_SIZE * ALIGN_SIZE);
    }

    static async open(dir) {
        return new Pipeline(await openSession(join(dir, 'fr_detect.onnx')),
            await openSession(join(dir, 'fr_landmark.onnx')), await openSession(join(dir, 'fr_feature.onnx')));
    }

    /** Boxes {x1, y1, x2, y2, score}, largest first; retried on a black-bordered image when none is found. */
    async detect(img) {
        const found = await this.detectAt(img, 0);
        if (found.length > 0) {
            return found;
        }
        // a face that fills the photo (a passport-style crop) is too big for the anchors: give it room
        return this.detectAt(img, Math.round(PAD_FRACTION * Math.max(img.width, img.height)));
    }

    async detectAt(img, pad) {
        resizeToBlob(img, pad, DETECT_W, DETECT_H, 127, 1 / 128, this.detectBlob);
        const [scores, boxes] = await run(this.detectModel, this.detectBlob, [1, 3, DETECT_H, DETECT_W]);
        const imageW = img.width + 2 * pad;
        const imageH = img.height + 2 * pad;
        const clamp = (v, max) => Math.max(0, Math.min(v, max));
        const candidates = [];
        for (let i = 0; i < scores.length / 2; i++) {
            const score = scores[2 * i + 1];
            if (score < DETECT_SCORE) {
                continue;
            }
            // float arithmetic, as FaceDetector.decode
            const x1 = clamp(f32(f32(boxes[4 * i] * imageW) - pad), img.width);
            const y1 = clamp(f32(f32(boxes[4 * i + 1] * imageH) - pad), img.height);
            const x2 = clamp(f32(f32(boxes[4 * i + 2] * imageW) - pad), img.width);
            const y2 = clamp(f32(f32(boxes[4 * i + 3] * imageH) - pad), img.height);
            if (f32(x2 - x1) >= 2 && f32(y2 - y1) >= 2) {
                candidates.push({ x1, y1, x2, y2, score });
            }
        }
        const kept = nms(candidates, NMS_IOU);
        kept.sort((p, q) => area(q) - area(p));
        return kept;
    }

    /** Five landmarks for every box, then the face with the largest eye distance (as FacePipeline.largest). */
    async largest(img, boxes) {
        let best = null;
        for (const box of boxes) {
            const five = toFivePoints(await this.landmarks68(img, box));
            const eyes = f32(Math.hypot(f32(five[2] - five[0]), f32(five[3] - five[1])));
            if (best === null || eyes > best.eyes) {
                best = { box, five, eyes };
            }
        }
        return best;
    }

    /** 68 points on a square grey crop (side = box height, centred), as x,y pairs in image pixels. */
    async landmarks68(img, box) {
        // float arithmetic, as LandmarkDetector.landmarks68
        const side = f32(box.y2 - box.y1);
        const x1 = f32(f32(f32(box.x1 + box.x2) / 2) - f32(side / 2));
        const y1 = f32(f32(f32(box.y1 + box.y2) / 2) - f32(side / 2));
        const s = LANDMARK_SIZE / side;
        const crop = warpAffine(img, [s, 0, (0.5 - x1) * s - 0.5, 0, s, (0.5 - y1) * s - 0.5],
            LANDMARK_SIZE, LANDMARK_SIZE).data;
        for (let i = 0; i < LANDMARK_SIZE * LANDMARK_SIZE; i++) {
            // cv::cvtColor(COLOR_BGR2GRAY) in 8-bit fixed point, then / 256
            const r = crop[3 * i];
            const g = crop[3 * i + 1];
            const b = crop[3 * i + 2];
            this.landmarkBlob[i] = ((r * 4899 + g * 9617 + b * 1868 + 8192) >> 14) / 256;
        }
        const [raw] = await run(this.landmarkModel, this.landmarkBlob, [1, 1, LANDMARK_SIZE, LANDMARK_SIZE]);
        const points = new Float64Array(raw.length);
        for (let i = 0; i < raw.length; i += 2) {
            points[i] = f32(f32(raw[i] * side) + x1);
            points[i + 1] = f32(f32(raw[i + 1] * side) + y1);
        }
        return points;
    }

    /** The 112x112 RGB face warped onto the ArcFace template. */
    align(img, five) {
        const { a, b, tx, ty } = similarity(five, ARCFACE_112);
        return warpAffine(img, [a, -b, tx, b, a, ty], ALIGN_SIZE, ALIGN_SIZE);
    }

    /** Unit-length 512-d embedding of an aligned face. */
    async embed(aligned) {
        const plane = ALIGN_SIZE * ALIGN_SIZE;
        const d = aligned.data;
        for (let i = 0; i < plane; i++) {
            for (let c = 0; c < 3; c++) {
                this.featureBlob[c * plane + i] = (d[3 * i + c] - 127) / 128;
            }
        }
        const [raw] = await run(this.featureModel, this.featureBlob, [1, 3, ALIGN_SIZE, ALIGN_SIZE]);
        const v = Float32Array.from(raw);
        let sum = 0;
        for (const x of v) {
            sum += x * x;
        }
        if (sum > 0) {
            const inv = f32(1 / Math.sqrt(sum));
            for (let i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }
}

function area(b) {
    return f32(Math.max(0, f32(b.x2 - b.x1)) * Math.max(0, f32(b.y2 - b.y1)));
}

function iou(p, q) {
    const iw = f32(Math.min(p.x2, q.x2) - Math.max(p.x1, q.x1));
    const ih = f32(Math.min(p.y2, q.y2) - Math.max(p.y1, q.y1));
    if (iw <= 0 || ih <= 0) {
        return 0;
    }
    const inter = f32(iw * ih);
    const union = f32(f32(area(p) + area(q)) - inter);
    return union <= 0 ? 0 : f32(inter / union);
}

/** Greedy non-maximum suppression: the best-scoring box wins every group that overlaps above {@code limit}. */
function nms(candidates, limit) {
    const sorted = [...candidates].sort((p, q) => q.score - p.score);
    const kept = [];
    for (const d of sorted) {
        if (!kept.some((k) => iou(k, d) > limit)) {
            kept.push(d);
        }
    }
    return kept;
}

/** Left eye (mean of 36..41), right eye (42..47), nose tip (30), mouth corners (48, 54). */
function toFivePoints(p) {
    const mean = (from, to) => {
        let sx = 0;
        let sy = 0;
        for (let i = from; i <= to; i++) {
            sx = f32(sx + p[2 * i]);
            sy = f32(sy + p[2 * i + 1]);
        }
        const n = to - from + 1;
        return [f32(sx / n), f32(sy / n)];
    };
    return [...mean(36, 41), ...mean(42, 47), p[60], p[61], p[96], p[97], p[108], p[109]];
}

/** Least-squares similarity (Umeyama, no reflection) taking {@code src} onto {@code dst}, as SimilarityTransform. */
function similarity(src, dst) {
    const n = src.length / 2;
    let msx = 0;
    let msy = 0;
    let mdx = 0;
    let mdy = 0;
    for (let i = 0; i < n; i++) {
        msx += src[2 * i];
        msy += src[2 * i + 1];
        mdx += dst[2 * i];
        mdy += dst[2 * i + 1];
    }
    msx /= n;
    msy /= n;
    mdx /= n;
    mdy /= n;
    let dot = 0;
    let cross = 0;
    let norm = 0;
    for (let i = 0; i < n; i++) {
        const sx = src[2 * i] - msx;
        const sy = src[2 * i + 1] - msy;
        const dx = dst[2 * i] - mdx;
        const dy = dst[2 * i + 1] - mdy;
        dot += sx * dx + sy * dy;
        cross += sx * dy - sy * dx;
        norm += sx * sx + sy * sy;
    }
    if (norm === 0) {
        throw new Error('landmarks are all the same point');
    }
    const a = dot / norm;
    const b = cross / norm;
    return { a, b, tx: mdx - (a * msx - b * msy), ty: mdy - (b * msx + a * msy) };
}

// ---------------------------------------------------------------------------------------------------------------
// benchmark

/** DIR/<person>/<photo>, people and photos sorted by name. */
function listPhotos(root) {
    const photos = [];
    for (const person of readdirSync(root).sort()) {
        const dir = join(root, person);
        if (!statSync(dir).isDirectory()) {
            continue;
        }
        for (const name of readdirSync(dir).sort()) {
            const dot = name.lastIndexOf('.');
            const path = join(dir, name);
            if (dot > 0 && EXTENSIONS.has(name.slice(dot + 1).toLowerCase()) && statSync(path).isFile()) {
                photos.push({ person, path });
            }
        }
    }
    if (photos.length === 0) {
        throw new Error(`${root} holds no <person>/<photo> images`);
    }
    return photos;
}

/** One photo through the pipeline: its embedding (null without a face) and stage times in milliseconds. */
async function measure(pipeline, photo) {
    const t0 = performance.now();
    let img;
    try {
        img = await decode(photo.path);
    } catch (e) {
        console.error(`pipeline: ${photo.path}: ${e.message}`);
        return { person: photo.person, embedding: null, ms: null };
    }
    const t1 = performance.now();
    const boxes = await pipeline.detect(img);
    const t2 = performance.now();
    let embedding = null;
    let t3 = t2;
    let t4 = t2;
    let t5 = t2;
    if (boxes.length > 0) {
        const face = await pipeline.largest(img, boxes);
        t3 = performance.now();
        const aligned = pipeline.align(img, face.five);
        t4 = performance.now();
        embedding = await pipeline.embed(aligned);
        t5 = performance.now();
    }
    return { person: photo.person, embedding, ms: [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0] };
}

function cosine(p, q) {
    let dot = 0;
    let np = 0;
    let nq = 0;
    for (let i = 0; i < p.length; i++) {
        dot += p[i] * q[i];
        np += p[i] * p[i];
        nq += q[i] * q[i];
    }
    return np === 0 || nq === 0 ? 0 : dot / Math.sqrt(np * nq);
}

/** Area under the ROC curve over every pair: P(genuine > impostor) + P(tie) / 2. */
function auc(samples) {
    const genuine = [];
    const impostor = [];
    for (let i = 0; i < samples.length; i++) {
        for (let j = i + 1; j < samples.length; j++) {
            const p = samples[i];
            const q = samples[j];
            const score = p.embedding === null || q.embedding === null ? -1 : cosine(p.embedding, q.embedding);
            (p.person === q.person ? genuine : impostor).push(score);
        }
    }
    if (genuine.length === 0 || impostor.length === 0) {
        return { auc: NaN, genuine: genuine.length, impostor: impostor.length };
    }
    impostor.sort((x, y) => x - y);
    let wins = 0;
    for (const g of genuine) {
        let below = 0;
        let ties = 0;
        for (const s of impostor) {
            if (s < g) {
                below++;
            } else if (s === g) {
                ties++;
            } else {
                break;
            }
        }
        wins += below + ties / 2;
    }
    return { auc: wins / (genuine.length * impostor.length), genuine: genuine.length, impostor: impostor.length };
}

/** Nearest-rank percentile, as io.facegate.bench.Percentiles. */
function percentile(values, p) {
    if (values.length === 0) {
        return NaN;
    }
    const s = [...values].sort((x, y) => x - y);
    const rank = Math.ceil((p / 100) * s.length);
    return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
}

const round = (v, digits) => Math.round(v * 10 ** digits) / 10 ** digits;

async function main() {
    const { values } = parseArgs({
        options: {
            dataset: { type: 'string' },
            models: { type: 'string' },
            json: { type: 'boolean', default: false },
            help: { type: 'boolean', short: 'h', default: false },
        },
    });
    if (values.help || !values.dataset || !values.models) {
        console.error('usage: node pipeline.mjs --dataset DIR --models DIR [--json]');
        process.exit(values.help ? 0 : 2);
    }
    const photos = listPhotos(values.dataset);
    const pipeline = await Pipeline.open(values.models);
    for (const photo of photos.slice(0, WARMUP_PHOTOS)) {
        await measure(pipeline, photo);
    }
    const samples = [];
    for (const photo of photos) {
        samples.push(await measure(pipeline, photo));
    }
    const timed = samples.filter((s) => s.ms !== null);
    const withFace = timed.filter((s) => s.embedding !== null);
    const latency = {};
    STAGES.forEach((stage, i) => {
        // decode and detect run on every photo; the rest only where a face was found (as `facegate bench verify`)
        const source = i <= 1 ? timed : withFace;
        const ms = source.map((s) => s.ms[i]);
        latency[stage] = { p50: round(percentile(ms, 50), 3), p90: round(percentile(ms, 90), 3) };
    });
    const a = auc(samples);
    const report = {
        dataset: values.dataset,
        images: samples.length,
        unreadable: samples.length - timed.length,
        faces_found: withFace.length,
        genuine_pairs: a.genuine,
        impostor_pairs: a.impostor,
        auc: round(a.auc, 6),
        threads: 1,
        versions: { node: process.versions.node, onnxruntime: ort.env.versions.node, sharp: sharp.versions.sharp },
        latency_ms: latency,
    };
    if (values.json) {
        console.log(JSON.stringify(report));
        return;
    }
    console.log(`dataset            ${report.dataset}`);
    console.log(`images             ${report.images} (faces found ${report.faces_found}, unreadable ${report.unreadable})`);
    console.log(`pairs              ${report.genuine_pairs} genuine, ${report.impostor_pairs} impostor`);
    console.log(`AUC                ${report.auc}`);
    console.log(`runtime            node ${report.versions.node}, onnxruntime-node ${report.versions.onnxruntime}, `
        + `sharp ${report.versions.sharp}, 1 thread`);
    console.log(`${'latency ms'.padEnd(12)} ${'p50'.padStart(9)} ${'p90'.padStart(9)}`);
    for (const stage of STAGES) {
        const p = latency[stage];
        console.log(`${stage.padEnd(12)} ${p.p50.toFixed(3).padStart(9)} ${p.p90.toFixed(3).padStart(9)}`);
    }
    console.log('total = decode + detect + landmarks + align + embed, photos with a face '
        + '(compare with recognition_ms of `facegate bench verify`)');
}

main().catch((e) => {
    console.error(`pipeline: ${e.stack ?? e}`);
    process.exit(1);
});
