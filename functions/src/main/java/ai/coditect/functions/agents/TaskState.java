package ai.coditect.functions.agents;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The states of a task, named as in the A2A protocol. */
enum TaskState {
    SUBMITTED("submitted"),
    WORKING("working"),
    INPUT_REQUIRED("input-required"),
    COMPLETED("completed"),
    FAILED("failed"),
    CANCELED("canceled"),
    REJECTED("rejected");

    private final String wireName;

    TaskState(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** True once nothing more can happen to the task. */
    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == CANCELED || this == REJECTED;
    }

    /** True while an agent holds the task. */
    public boolean claimed() {
        return this == WORKING || this == INPUT_REQUIRED;
    }

    @JsonCreator
    public static TaskState fromWireName(String name) {
        for (TaskState s : values()) {
            if (s.wireName.equals(name)) {
                return s;
            }
        }
        return null;
    }
}
