package io.facegate.vision;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One ONNX Runtime session for one locked model, checked against its contract at load. Inputs are passed as
 * direct {@link FloatBuffer}s (OpenCV blob memory), which ONNX Runtime reads without copying.
 *
 * <p>Runs may come from several threads at once; {@link #close()} waits for the runs in flight (a session freed
 * under a running inference crashes the JVM inside ONNX Runtime), and every run after it fails with a
 * {@link ModelException}.
 */
public final class OnnxModel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnnxModel.class);

    private final ModelPack.Entry entry;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String provider;
    private final String inputName;
    private final long[] inputShape;
    /** Wall time spent inside {@code OrtSession.run}, so benchmarks can tell model time from our own overhead. */
    private final LongAdder runNanos = new LongAdder();
    /** Runs hold the read side, close the write side: the session is never freed under a running inference. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    /** Set first thing by close, so that runs queued behind it fail instead of starting. */
    private volatile boolean closing;
    private boolean closed; // guarded by the write lock
    /** How long close waits for a run in flight before leaving the session to the end of the process. */
    private static final long CLOSE_WAIT_SECONDS = 10;

    private OnnxModel(ModelPack.Entry entry, OrtEnvironment env, OrtSession session, String provider) {
        this.entry = entry;
        this.env = env;
        this.session = session;
        this.provider = provider;
        this.inputName = entry.inputs().get(0).name();
        this.inputShape = entry.inputs().get(0).shape();
    }

    /**
     * Loads the model for {@code role}, trying the execution providers in order and falling back (with a warning)
     * when one is not in the ONNX Runtime build on the class path or fails to initialise.
     */
    public static OnnxModel load(ModelPack pack, String role, List<String> providers, int threads, boolean checkHash) {
        ModelPack.Entry entry = pack.entry(role);
        pack.verify(entry, checkHash);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        List<String> failures = new ArrayList<>();
        for (String provider : providers) {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            try {
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
                options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                switch (provider) {
                    case "tensorrt" -> {
                        require(available, OrtProvider.TENSOR_RT, provider);
                        options.addTensorrt(0);
                    }
                    case "cuda" -> {
                        require(available, OrtProvider.CUDA, provider);
                        options.addCUDA(0);
                    }
                    case "cpu" -> {
                    }
                    default -> throw new ModelException("unknown execution provider " + provider);
                }
                OrtSession session = env.createSession(pack.path(entry).toString(), options);
                OnnxModel model = new OnnxModel(entry, env, session, provider);
                try {
                    model.checkContract();
                } catch (ModelException e) {
                    model.close();
                    throw e;
                }
                if (!failures.isEmpty()) {
                    log.warn("{} model: falling back to {} ({})", role, provider, String.join("; ", failures));
                }
                return model;
            } catch (OrtException | UnavailableProvider e) {
                if (provider.equals("cpu")) {
                    throw new ModelException(role + " model " + pack.path(entry).toAbsolutePath()
                            + " cannot be loaded by ONNX Runtime: " + e.getMessage(), e);
                }
                failures.add(provider + ": " + e.getMessage());
            } finally {
                options.close();
            }
        }
        throw new ModelException(role + " model: no configured execution provider could run it: "
                + String.join("; ", failures));
    }

    private static final class UnavailableProvider extends Exception {
        UnavailableProvider(String message) {
            super(message);
        }
    }

    private static void require(EnumSet<OrtProvider> available, OrtProvider p, String name) throws UnavailableProvider {
        if (!available.contains(p)) {
            throw new UnavailableProvider(name + " is not in this ONNX Runtime build (available: " + available + ")");
        }
    }

    private void checkContract() {
        try {
            check("input", entry.inputs(), session.getInputInfo());
            check("output", entry.outputs(), session.getOutputInfo());
        } catch (OrtException e) {
            throw new ModelException(entry.file() + ": cannot read its inputs/outputs: " + e.getMessage(), e);
        }
    }

    private void check(String kind, List<ModelPack.TensorSpec> expected, Map<String, NodeInfo> actual) {
        for (ModelPack.TensorSpec spec : expected) {
            NodeInfo node = actual.get(spec.name());
            long[] shape = node != null && node.getInfo() instanceof TensorInfo t ? t.getShape() : null;
            if (shape == null || !Arrays.equals(shape, spec.shape())) {
                throw new ModelException(entry.file() + " has the wrong shape: expected " + kind + " " + spec
                        + ", found " + describe(actual));
            }
        }
    }

    private static String describe(Map<String, NodeInfo> nodes) {
        List<String> out = new ArrayList<>();
        nodes.forEach((name, n) -> out.add(name + (n.getInfo() instanceof TensorInfo t
                ? Arrays.toString(t.getShape()) : "(" + n.getInfo() + ")")));
        return String.join(", ", out);
    }

    /**
     * Runs the model on one input held in {@code input} (direct buffer, NCHW, exactly the locked shape) and returns
     * each locked output, in lock order, as a float array.
     */
    public float[][] run(FloatBuffer input) {
        Lock shared = lifecycle.readLock();
        shared.lock();
        try {
            if (closing) {
                throw new ModelException(entry.file() + ": model is closed (the daemon is stopping)");
            }
            return runOpen(input);
        } finally {
            shared.unlock();
        }
    }

    private float[][] runOpen(FloatBuffer input) {
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, inputShape);
             OrtSession.Result result = timedRun(tensor)) {
            float[][] outputs = new float[entry.outputs().size()][];
            for (int i = 0; i < outputs.length; i++) {
                String name = entry.outputs().get(i).name();
                OnnxTensor out = (OnnxTensor) result.get(name)
                        .orElseThrow(() -> new ModelException(entry.file() + " returned no '" + name + "'"));
                FloatBuffer fb = out.getFloatBuffer();
                outputs[i] = new float[fb.remaining()];
                fb.get(outputs[i]);
            }
            return outputs;
        } catch (OrtException e) {
            throw new ModelException(entry.file() + ": inference failed: " + e.getMessage(), e);
        }
    }

    private OrtSession.Result timedRun(OnnxTensor tensor) throws OrtException {
        long t0 = System.nanoTime();
        try {
            return session.run(Map.of(inputName, tensor));
        } finally {
            runNanos.add(System.nanoTime() - t0);
        }
    }

    /** Total nanoseconds spent in ONNX Runtime's run so far. */
    public long runNanos() {
        return runNanos.sum();
    }

    public String provider() {
        return provider;
    }

    public ModelPack.Entry entry() {
        return entry;
    }

    /** Waits for the runs in flight, then frees the session; later runs fail. Idempotent. */
    @Override
    public void close() {
        closing = true;
        Lock exclusive = lifecycle.writeLock();
        boolean locked = false;
        try {
            locked = exclusive.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            // freeing it now would crash the process: leak it instead, the process is ending anyway
            log.warn("{}: an inference is still running after {} s; the session is not freed", entry.file(),
                    CLOSE_WAIT_SECONDS);
            return;
        }
        try {
            if (!closed) {
                closed = true;
                session.close();
            }
        } catch (OrtException e) {
            log.warn("closing {}: {}", entry.file(), e.getMessage());
        } finally {
            exclusive.unlock();
        }
    }
}
