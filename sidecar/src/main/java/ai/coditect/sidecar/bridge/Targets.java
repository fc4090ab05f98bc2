package ai.coditect.sidecar.bridge;

import java.net.URI;
import java.util.Optional;

/**
 * Where a request goes: the configured backend's scheme and authority, then the request's path and query,
 * unchanged. Only origin-form request targets ({@code /…}) are accepted, and the authority of the result is
 * checked to be the backend's, so nothing in a request can point the sidecar at another host or port.
 */
public final class Targets {
    private final URI theia;
    private final Optional<URI> codi2;

    public Targets(URI theia, Optional<URI> codi2) {
        this.theia = theia;
        this.codi2 = codi2;
    }

    public URI theiaUrl() {
        return theia;
    }

    public Optional<URI> codi2Url() {
        return codi2;
    }

    /** Whether the workspace has this backend at all (CODI2 is optional). */
    public boolean has(Backend backend) {
        return backend == Backend.THEIA || codi2.isPresent();
    }

    /**
     * True for an origin-form request target: a path that starts with {@code /}. Absolute-form
     * ({@code http://host/x}, {@code http:@host/x}), authority-form ({@code host:port}) and {@code *} are not.
     */
    public static boolean isOriginForm(String rawPath) {
        return rawPath != null && rawPath.startsWith("/");
    }

    /** The HTTP URL of a request: CODI2 gets what follows {@code /codi2}, Theia the whole path. */
    public URI http(Backend backend, String rawPath, String rawQuery) {
        URI base = base(backend);
        return join(base, httpScheme(base.getScheme()), path(backend, rawPath), rawQuery);
    }

    /** The WebSocket URL of an upgrade: CODI2 gets what follows {@code /codi2}, Theia the whole path. */
    public URI webSocket(Backend backend, String rawPath, String rawQuery) {
        URI base = base(backend);
        return join(base, wsScheme(base.getScheme()), path(backend, rawPath), rawQuery);
    }

    private URI base(Backend backend) {
        return backend == Backend.CODI2
                ? codi2.orElseThrow(() -> new IllegalStateException("this workspace has no CODI2"))
                : theia;
    }

    private static String path(Backend backend, String rawPath) {
        if (!isOriginForm(rawPath)) {
            throw new IllegalArgumentException("not an origin-form request target");
        }
        if (backend == Backend.CODI2) {
            return rawPath.length() > "/codi2".length() ? rawPath.substring("/codi2".length()) : "";
        }
        return rawPath;
    }

    private static String wsScheme(String scheme) {
        return switch (scheme) {
            case "https", "wss" -> "wss";
            default -> "ws";
        };
    }

    private static String httpScheme(String scheme) {
        return switch (scheme) {
            case "https", "wss" -> "https";
            default -> "http";
        };
    }

    private static URI join(URI base, String scheme, String rawPath, String rawQuery) {
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        if (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        String path = basePath + (rawPath.isEmpty() ? "/" : rawPath);
        URI target = URI.create(scheme + "://" + base.getRawAuthority() + path
                + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery));
        if (!base.getRawAuthority().equals(target.getRawAuthority())) {
            // cannot happen for an origin-form path; checked so that no future change can make it happen
            throw new IllegalArgumentException("the request would leave the backend");
        }
        return target;
    }
}
