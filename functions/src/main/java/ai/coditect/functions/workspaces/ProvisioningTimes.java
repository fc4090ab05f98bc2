package ai.coditect.functions.workspaces;

import java.time.Duration;
import java.time.Instant;

/**
 * When each phase of the latest provisioning ended: the request was received, the cluster objects were applied,
 * the pod was scheduled, its containers were ready. Slow starts are what users notice most, so each is kept.
 */
public record ProvisioningTimes(Instant receivedAt, Instant appliedAt, Instant scheduledAt, Instant readyAt) {
    static ProvisioningTimes received(Instant at) {
        return new ProvisioningTimes(at, null, null, null);
    }

    ProvisioningTimes applied(Instant at) {
        return new ProvisioningTimes(receivedAt, at, scheduledAt, readyAt);
    }

    ProvisioningTimes scheduled(Instant at) {
        return new ProvisioningTimes(receivedAt, appliedAt, scheduledAt != null ? scheduledAt : at, readyAt);
    }

    ProvisioningTimes ready(Instant at) {
        return new ProvisioningTimes(receivedAt, appliedAt, scheduledAt != null ? scheduledAt : at, at);
    }

    static Duration between(Instant from, Instant to) {
        return from == null || to == null ? null : Duration.between(from, to);
    }
}
