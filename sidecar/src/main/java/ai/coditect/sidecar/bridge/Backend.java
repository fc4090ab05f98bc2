package ai.coditect.sidecar.bridge;

/** The two processes behind the sidecar, on localhost: the Theia IDE and the CODI2 agent. */
public enum Backend {
    THEIA("theia"),
    CODI2("codi2");

    private final String label;

    Backend(String label) {
        this.label = label;
    }

    /** The name in metrics and logs. */
    public String label() {
        return label;
    }

    /** {@code /codi2} (and below) goes to CODI2; everything else to Theia. */
    public static Backend forPath(String path) {
        return path.equals("/codi2") || path.startsWith("/codi2/") ? CODI2 : THEIA;
    }
}
