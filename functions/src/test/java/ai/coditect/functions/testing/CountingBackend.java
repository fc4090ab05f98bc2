package ai.coditect.functions.testing;

import ai.coditect.functions.workspaces.Workspace;
import ai.coditect.functions.workspaces.WorkspaceBackend;
import ai.coditect.functions.workspaces.WorkspaceBackendException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A workspace backend that counts, per user, how often each operation reached the backend it wraps. */
public final class CountingBackend implements WorkspaceBackend, AutoCloseable {
    private final WorkspaceBackend backend;
    private final Map<String, AtomicInteger> applies = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> podStates = new ConcurrentHashMap<>();

    public CountingBackend(WorkspaceBackend backend) {
        this.backend = backend;
    }

    public int applies(String userId) {
        return count(applies, userId);
    }

    public int podStates(String userId) {
        return count(podStates, userId);
    }

    private static int count(Map<String, AtomicInteger> counts, String userId) {
        AtomicInteger n = counts.get(userId);
        return n == null ? 0 : n.get();
    }

    private static void add(Map<String, AtomicInteger> counts, String userId) {
        counts.computeIfAbsent(userId, u -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public Applied apply(Workspace workspace, String proposedAgentToken) throws WorkspaceBackendException {
        add(applies, workspace.userId());
        return backend.apply(workspace, proposedAgentToken);
    }

    @Override
    public PodState podState(Workspace workspace) throws WorkspaceBackendException {
        add(podStates, workspace.userId());
        return backend.podState(workspace);
    }

    @Override
    public void stop(Workspace workspace) throws WorkspaceBackendException {
        backend.stop(workspace);
    }

    @Override
    public void delete(Workspace workspace) throws WorkspaceBackendException {
        backend.delete(workspace);
    }

    @Override
    public void close() throws Exception {
        if (backend instanceof AutoCloseable c) {
            c.close();
        }
    }
}
