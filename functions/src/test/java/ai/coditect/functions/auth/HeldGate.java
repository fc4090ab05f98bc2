package ai.coditect.functions.auth;

import java.util.concurrent.CountDownLatch;

/** Every turn of a gate with one turn, taken by a hash that runs until closed. */
record HeldGate(Thread holder, CountDownLatch release) implements AutoCloseable {
    static HeldGate hold(HashingGate gate) throws InterruptedException {
        CountDownLatch hashing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofVirtual().start(() -> gate.run(() -> {
            hashing.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        hashing.await();
        return new HeldGate(holder, release);
    }

    /** Lets the hash finish and waits until it has. */
    @Override
    public void close() throws InterruptedException {
        release.countDown();
        holder.join();
    }
}
