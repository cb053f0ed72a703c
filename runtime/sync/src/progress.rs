//! Progress of a tenant's sync: batch counts that add up, a percentage, and the
//! `first_sync_done` flag a dashboard waits for.

use serde::Serialize;

use crate::checkpoint::{Checkpoint, SyncStatus};

/// A tenant's progress over its streams.
///
/// `total == completed + failed + pending` always. `pending` is an estimate (the span left
/// to the horizon at the current window width, plus queued retries; a stream not started
/// counts its initial range at the widest window), so `total` can move as windows adapt.
/// `percent` is the share of `total` already processed (completed or failed).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Progress {
    /// Batches of every kind.
    pub total: u64,
    /// Batches written.
    pub completed: u64,
    /// Batches permanently failed (and not retried since).
    pub failed: u64,
    /// Estimated batches left.
    pub pending: u64,
    /// `(completed + failed) / total`, in percent (100 when `total` is 0).
    pub percent: f64,
    /// Every stream has finished its first sync.
    pub first_sync_done: bool,
    /// The tenant's first sync: `not_started` (no batch ran on any stream), `in_progress`,
    /// or `done` (every stream reached the horizon once: what gates a dashboard).
    pub status: SyncStatus,
}

impl Progress {
    /// Sums `checkpoints` of the tenant's `streams`; `not_started_pending` is the estimate for
    /// a stream without a checkpoint.
    pub fn of(
        streams: &[String],
        checkpoints: &[Checkpoint],
        not_started_pending: u64,
    ) -> Progress {
        let mut completed = 0u64;
        let mut failed = 0u64;
        let mut pending = 0u64;
        let mut first_sync_done = true;
        let mut started = false;
        for stream in streams {
            match checkpoints
                .iter()
                .find(|checkpoint| &checkpoint.stream == stream)
            {
                Some(checkpoint) => {
                    completed += checkpoint.counters.completed;
                    failed += checkpoint.counters.failed;
                    pending += checkpoint.counters.pending;
                    first_sync_done &= checkpoint.status == SyncStatus::Done;
                    started |= checkpoint.status != SyncStatus::NotStarted;
                }
                None => {
                    pending += not_started_pending;
                    first_sync_done = false;
                }
            }
        }
        let mut progress = Progress::from_counts(completed, failed, pending, first_sync_done);
        if !first_sync_done {
            progress.status = if started {
                SyncStatus::InProgress
            } else {
                SyncStatus::NotStarted
            };
        }
        progress
    }

    /// Progress from batch counts (status `done` when `first_sync_done`, else
    /// `not_started` when no batch was processed, else `in_progress`).
    pub fn from_counts(
        completed: u64,
        failed: u64,
        pending: u64,
        first_sync_done: bool,
    ) -> Progress {
        let total = completed + failed + pending;
        let percent = if total == 0 {
            100.0
        } else {
            (completed + failed) as f64 * 100.0 / total as f64
        };
        let status = if first_sync_done {
            SyncStatus::Done
        } else if completed + failed == 0 {
            SyncStatus::NotStarted
        } else {
            SyncStatus::InProgress
        };
        Progress {
            total,
            completed,
            failed,
            pending,
            percent,
            first_sync_done,
            status,
        }
    }
}

/// Estimated batches to cover `span_secs` at `width_secs` per batch (rounded up).
pub(crate) fn batches_for(span_secs: i64, width_secs: i64) -> u64 {
    if span_secs <= 0 {
        return 0;
    }
    let width = width_secs.max(1);
    u64::try_from((span_secs + width - 1) / width).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Counters;

    fn checkpoint(
        stream: &str,
        status: SyncStatus,
        completed: u64,
        failed: u64,
        pending: u64,
    ) -> Checkpoint {
        let mut checkpoint = Checkpoint::new("acme", stream, 3600);
        checkpoint.status = status;
        checkpoint.counters = Counters {
            completed,
            failed,
            pending,
            records: 0,
        };
        checkpoint
    }

    #[test]
    fn counts_add_up_and_percent_is_the_processed_share() {
        let streams = vec!["a".to_owned(), "b".to_owned()];
        let progress = Progress::of(
            &streams,
            &[
                checkpoint("a", SyncStatus::InProgress, 6, 1, 3),
                checkpoint("b", SyncStatus::Done, 10, 0, 0),
            ],
            90,
        );
        assert_eq!(
            (
                progress.total,
                progress.completed,
                progress.failed,
                progress.pending
            ),
            (20, 16, 1, 3)
        );
        assert!(
            (progress.percent - 85.0).abs() < 1e-9,
            "{}",
            progress.percent
        );
        assert!(!progress.first_sync_done);
        assert_eq!(progress.status, SyncStatus::InProgress);
    }

    #[test]
    fn status_is_not_started_until_a_stream_starts_and_done_when_all_are() {
        let streams = vec!["a".to_owned(), "b".to_owned()];
        let none = Progress::of(&streams, &[], 90);
        assert_eq!(none.status, SyncStatus::NotStarted);
        let one = Progress::of(
            &streams,
            &[checkpoint("a", SyncStatus::InProgress, 0, 0, 3)],
            90,
        );
        assert_eq!(
            one.status,
            SyncStatus::InProgress,
            "a first batch failing is still in progress"
        );
        let all = Progress::of(
            &streams,
            &[
                checkpoint("a", SyncStatus::Done, 1, 0, 0),
                checkpoint("b", SyncStatus::Done, 1, 0, 0),
            ],
            90,
        );
        assert_eq!(all.status, SyncStatus::Done);
        let json = serde_json::to_value(all).unwrap();
        assert_eq!(json["status"], "done");
    }

    #[test]
    fn a_stream_without_checkpoint_is_pending_and_not_done() {
        let streams = vec!["a".to_owned(), "b".to_owned()];
        let progress = Progress::of(&streams, &[checkpoint("a", SyncStatus::Done, 4, 0, 0)], 90);
        assert_eq!((progress.total, progress.pending), (94, 90));
        assert!(!progress.first_sync_done);
        // Checkpoints of streams not asked about are ignored.
        let only_a = Progress::of(
            &streams[..1],
            &[
                checkpoint("a", SyncStatus::Done, 4, 0, 0),
                checkpoint("b", SyncStatus::NotStarted, 0, 0, 7),
            ],
            90,
        );
        assert_eq!((only_a.total, only_a.percent), (4, 100.0));
        assert!(only_a.first_sync_done);
    }

    #[test]
    fn nothing_at_all_is_complete() {
        let progress = Progress::from_counts(0, 0, 0, true);
        assert_eq!((progress.total, progress.percent), (0, 100.0));
    }

    #[test]
    fn batch_estimate_rounds_up() {
        assert_eq!(batches_for(0, 1800), 0);
        assert_eq!(batches_for(-5, 1800), 0);
        assert_eq!(batches_for(1, 1800), 1);
        assert_eq!(batches_for(3600, 1800), 2);
        assert_eq!(batches_for(3601, 1800), 3);
        assert_eq!(batches_for(7_776_000, 86_400), 90);
        assert_eq!(batches_for(10, 0), 10, "a zero width counts as one second");
    }
}
