package ai.coditect.functions.workspaces;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where a workspace is in its life: {@code requested → provisioning → running → stopping → stopped}, or failed. */
public enum WorkspaceStatus {
    REQUESTED, PROVISIONING, RUNNING, STOPPING, STOPPED, FAILED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static WorkspaceStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** A start makes sense from here: nothing is running or on its way. */
    public boolean canStart() {
        return this == REQUESTED || this == STOPPED || this == FAILED;
    }

    /** A stop makes sense from here: something is running or on its way. */
    public boolean canStop() {
        return this == PROVISIONING || this == RUNNING;
    }
}
