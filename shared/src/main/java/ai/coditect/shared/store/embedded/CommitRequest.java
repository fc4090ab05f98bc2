package ai.coditect.shared.store.embedded;

import java.util.List;

/** What a transaction hands to the committer: its read version (-1 if it never read), conflicts and writes. */
record CommitRequest(long readVersion, long readVersionAt, List<ConflictRange> readConflicts, WriteBuffer writes,
                     List<ConflictRange> writeConflicts) {
}
