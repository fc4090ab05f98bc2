package ai.coditect.functions.http;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How routes translate a domain service's refusal (its exception of type {@code E}) into the contract's status and
 * problem code: every route of a feature runs its service calls through the one translation of that feature.
 */
public final class Refusals<E extends RuntimeException> {
    private final Class<E> type;
    private final Function<E, ApiException> problem;

    private Refusals(Class<E> type, Function<E, ApiException> problem) {
        this.type = type;
        this.problem = problem;
    }

    public static <E extends RuntimeException> Refusals<E> of(Class<E> type, Function<E, ApiException> problem) {
        return new Refusals<>(type, problem);
    }

    /** The result of {@code call}, or its refusal as an {@link ApiException}. */
    public <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            if (type.isInstance(e)) {
                throw problem.apply(type.cast(e));
            }
            throw e;
        }
    }

    /** Runs {@code action}, turning its refusal into an {@link ApiException}. */
    public void run(Runnable action) {
        call(() -> {
            action.run();
            return null;
        });
    }
}
