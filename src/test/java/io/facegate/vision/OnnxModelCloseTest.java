package io.facegate.vision;

import io.facegate.TestData;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A SIGTERM shortly after start closed the ONNX sessions while the pipeline was inside {@code run}: a segfault in
 * ONNX Runtime. Closing must wait for the inference in flight, and every later run must fail with a clear
 * exception. A crash here kills the surefire JVM, which fails the build: bounded to a few dozen rounds.
 */
class OnnxModelCloseTest {
    private static final int ROUNDS = 25;

    private static FloatBuffer input(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return ByteBuffer.allocateDirect((int) n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Test
    void closeWhileRunningWaitsForTheRunAndLaterRunsFailCleanly() throws Exception {
        ModelPack pack = ModelPack.load(TestData.models());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                OnnxModel model = OnnxModel.load(pack, "detect", List.of("cpu"), 1, false);
                FloatBuffer in = input(model.entry().inputs().get(0).shape());
                CountDownLatch running = new CountDownLatch(1);
                AtomicInteger completed = new AtomicInteger();
                Future<String> runner = pool.submit(() -> {
                    while (true) {
                        running.countDown();
                        try {
                            float[][] out = model.run(in.duplicate());
                            assertEquals(2, out.length);
                            completed.incrementAndGet();
                        } catch (ModelException e) {
                            return e.getMessage(); // closed under us: the one acceptable way to stop
                        }
                    }
                });
                assertTrue(running.await(30, TimeUnit.SECONDS), "inference thread started");
                model.close(); // concurrently with the loop above, at a random point of a run
                String why = runner.get(30, TimeUnit.SECONDS);
                assertTrue(why.contains("closed"), why);
                ModelException later = assertThrows(ModelException.class, () -> model.run(in.duplicate()));
                assertTrue(later.getMessage().contains("closed"), later.getMessage());
                model.close(); // a second close does nothing
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
