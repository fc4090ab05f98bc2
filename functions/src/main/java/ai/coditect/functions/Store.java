package ai.coditect.functions;

import ai.coditect.shared.store.Databases;
import ai.coditect.shared.store.Keyspace;
import com.apple.foundationdb.Database;

/** An open store and its key layout: what every function that keeps state is built on. */
public record Store(Database database, Keyspace keyspace) implements AutoCloseable {

    /** Opens the store {@code config} names (a FoundationDB client is loaded only for {@code fdb:}). */
    public static Store open(StoreConfig config) {
        Database db = Databases.open(config.url());
        try {
            return new Store(db, Keyspace.open(db, config.environment()));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    @Override
    public void close() {
        database.close();
    }
}
