package ai.coditect.sidecar.bridge;

import java.net.URI;

/** Where a request goes: the backend's base URL plus the request's path and query, unchanged. */
public final class Targets {
    private final URI theia;
    private final URI codi2;

    public Targets(URI theia, URI codi2) {
        this.theia = theia;
        this.codi2 = codi2;
    }

    public URI theiaUrl() {
        return theia;
    }

    public URI codi2Url() {
        return codi2;
    }

    /** The HTTP URL of a request to Theia. */
    public URI http(String rawPath, String rawQuery) {
        return join(theia, theia.getScheme(), rawPath, rawQuery);
    }

    /** The WebSocket URL of an upgrade: Theia keeps the whole path; CODI2 gets what follows {@code /codi2}. */
    public URI webSocket(Backend backend, String rawPath, String rawQuery) {
        if (backend == Backend.CODI2) {
            String rest = rawPath.length() > "/codi2".length() ? rawPath.substring("/codi2".length()) : "";
            return join(codi2, wsScheme(codi2.getScheme()), rest, rawQuery);
        }
        return join(theia, wsScheme(theia.getScheme()), rawPath, rawQuery);
    }

    private static String wsScheme(String scheme) {
        return switch (scheme) {
            case "https", "wss" -> "wss";
            default -> "ws";
        };
    }

    private static URI join(URI base, String scheme, String rawPath, String rawQuery) {
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        if (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        String path = basePath + (rawPath == null || rawPath.isEmpty() ? "/" : rawPath);
        String authority = base.getRawAuthority();
        return URI.create(scheme + "://" + authority + path
                + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery));
    }
}
