//! [`SyncWorker`]: one batch per [`step`](SyncWorker::step) (claim the lease, size the
//! window, fetch its pages, upsert them, advance the watermark, release), retries, failed
//! ranges and progress.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::stream::{self, StreamExt};

use crate::checkpoint::{Checkpoint, CheckpointStore, FailedRange, Lease, StoreError, SyncStatus};
use crate::config::{secs, ConfigError, SyncConfig};
use crate::progress::{batches_for, Progress};
use crate::sink::Sink;
use crate::source::{BoxError, Record, Source};
use crate::window::{Sizing, Window};

/// What the worker uses as "now".
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What one [`step`](SyncWorker::step) did.
#[derive(Clone, Debug, PartialEq)]
pub enum StepOutcome {
    /// A batch was written and the watermark (or the retry queue) advanced.
    Synced {
        /// The batch's window.
        window: Window,
        /// Records written (ids unique).
        records: u64,
        /// Pages fetched (more than one: the window was at the minimum width and paged).
        pages: u32,
        /// Work remains: call `step` again now.
        more: bool,
    },
    /// The batch failed; it is retried by the next step, or was permanently failed.
    Failed {
        /// The batch's window (its first sizing attempt's, if counting failed).
        window: Window,
        /// Attempts made so far.
        attempt: u32,
        /// The batch reached `max_attempts`: recorded as a failed range, the sync moved on.
        permanently_failed: bool,
        /// The error (as stored in the checkpoint).
        error: String,
        /// Work remains: call `step` again now.
        more: bool,
    },
    /// Another worker holds the tenant + stream; it will carry on.
    Busy {
        /// The holder, when known.
        owner: Option<String>,
    },
    /// Nothing to do until the horizon moves on.
    CaughtUp,
}

impl StepOutcome {
    /// Whether the caller should run another step right away (e.g. a Lambda re-enqueueing
    /// itself for sub-minute cadence).
    pub fn more_work(&self) -> bool {
        match self {
            StepOutcome::Synced { more, .. } | StepOutcome::Failed { more, .. } => *more,
            StepOutcome::Busy { .. } | StepOutcome::CaughtUp => false,
        }
    }
}

/// A step that could not run or record its result.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The checkpoint store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The lease was taken over (it expired) before the result was saved; nothing was
    /// advanced, the records written are upserts that the new holder writes again.
    #[error(
        "lost the lease on {tenant}/{stream} before saving (lease_duration shorter than a batch?)"
    )]
    LeaseLost {
        /// The tenant.
        tenant: String,
        /// The stream.
        stream: String,
    },
    /// Another worker holds the tenant + stream.
    #[error("{tenant}/{stream} is being synced by another worker")]
    Busy {
        /// The tenant.
        tenant: String,
        /// The stream.
        stream: String,
    },
    /// The stream is not one the source serves.
    #[error("unknown stream {stream:?}; the source serves {known:?}")]
    UnknownStream {
        /// The stream asked for.
        stream: String,
        /// The streams served.
        known: Vec<String>,
    },
    /// The configuration cannot work.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Pulls records from a [`Source`] into a [`Sink`] in adaptive windows, one batch per step,
/// with its state in a [`CheckpointStore`].
///
/// ```
/// use cloud_cron_sync::memory::{MemoryCheckpointStore, MemorySink, MemorySource};
/// use cloud_cron_sync::{SyncConfig, SyncWorker};
/// use serde_json::json;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), cloud_cron_sync::SyncError> {
/// let now = chrono::Utc::now();
/// let source = MemorySource::new(["contacts"]);
/// for id in 0..500 {
///     source.insert("acme", "contacts", &id.to_string(), now - chrono::TimeDelta::hours(id % 48 + 1), json!({"id": id}));
/// }
/// let sink = MemorySink::default();
/// let worker = SyncWorker::new(source, sink, MemoryCheckpointStore::default(), SyncConfig::default())?;
///
/// // A Lambda would run one step per invocation and re-enqueue itself while `more_work()`.
/// while worker.step("acme", "contacts").await?.more_work() {}
///
/// let progress = worker.progress("acme").await?;
/// assert!(progress.first_sync_done);
/// assert_eq!(progress.total, progress.completed + progress.failed + progress.pending);
/// assert_eq!(worker.sink().len(), 500);
/// # Ok(())
/// # }
/// ```
pub struct SyncWorker<S, K, C> {
    source: S,
    sink: K,
    store: C,
    config: SyncConfig,
    owner: String,
    clock: Clock,
}

impl<S: Source, K: Sink, C: CheckpointStore> SyncWorker<S, K, C> {
    /// A worker with a random owner id and the system clock.
    pub fn new(source: S, sink: K, store: C, config: SyncConfig) -> Result<Self, SyncError> {
        config.validate()?;
        Ok(SyncWorker {
            source,
            sink,
            store,
            config,
            owner: format!("worker-{:016x}", fastrand::u64(..)),
            clock: Arc::new(Utc::now),
        })
    }

    /// Names this worker in leases (e.g. the Lambda request id).
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = owner.into();
        self
    }

    /// Uses `clock` as "now" (tests, replays).
    pub fn clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The owner id in leases.
    pub fn owner_id(&self) -> &str {
        &self.owner
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The sink.
    pub fn sink(&self) -> &K {
        &self.sink
    }

    /// The checkpoint store.
    pub fn store(&self) -> &C {
        &self.store
    }

    /// The configuration.
    pub fn config(&self) -> &SyncConfig {
        &self.config
    }

    fn horizon(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        horizon(&self.config, now)
    }

    fn initial_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        initial_start(&self.config, now)
    }

    fn check_stream(&self, stream: &str) -> Result<(), SyncError> {
        let known = self.source.streams();
        if known.iter().any(|known| known == stream) {
            Ok(())
        } else {
            Err(SyncError::UnknownStream {
                stream: stream.to_owned(),
                known,
            })
        }
    }

    /// Whether `checkpoint` has work at `now`.
    fn has_work(&self, checkpoint: &Checkpoint, now: DateTime<Utc>) -> bool {
        has_work(&self.config, Some(checkpoint), now)
    }

    fn refresh_pending(&self, checkpoint: &mut Checkpoint, now: DateTime<Utc>) {
        let start = checkpoint
            .watermark
            .unwrap_or_else(|| self.initial_start(now));
        let span = (self.horizon(now) - start).num_seconds();
        checkpoint.counters.pending =
            batches_for(span, checkpoint.window_secs) + checkpoint.retry_queue.len() as u64;
    }

    /// Claims the lease: reads the checkpoint and writes it back with this worker's lease,
    /// conditional on the version read. `Ok(Err(owner))`: someone else holds it (`owner` when
    /// known).
    async fn claim(
        &self,
        tenant: &str,
        stream: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<Checkpoint, Option<String>>, SyncError> {
        let stored = self.store.get(tenant, stream).await?;
        let expected = stored.as_ref().map(|checkpoint| checkpoint.version);
        let mut checkpoint =
            stored.unwrap_or_else(|| Checkpoint::new(tenant, stream, secs(self.config.max_window)));
        if let Some(lease) = checkpoint.leased_to_other(&self.owner, now) {
            return Ok(Err(Some(lease.owner.clone())));
        }
        checkpoint.lease = Some(Lease {
            owner: self.owner.clone(),
            expires_at: now + TimeDelta::seconds(secs(self.config.lease_duration)),
        });
        checkpoint.version = expected.unwrap_or(0) + 1;
        match self.store.put(&checkpoint, expected).await {
            Ok(()) => Ok(Ok(checkpoint)),
            Err(StoreError::Conflict { .. }) => Ok(Err(None)),
            Err(error) => Err(error.into()),
        }
    }

    /// Writes `checkpoint` (releasing the lease), conditional on the version the claim wrote.
    async fn save_and_release(&self, mut checkpoint: Checkpoint) -> Result<(), SyncError> {
        checkpoint.lease = None;
        let expected = checkpoint.version;
        checkpoint.version += 1;
        match self.store.put(&checkpoint, Some(expected)).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict { .. }) => Err(SyncError::LeaseLost {
                tenant: checkpoint.tenant,
                stream: checkpoint.stream,
            }),
            Err(error) => Err(error.into()),
        }
    }

    /// Runs one batch of `tenant`'s `stream`: claim the lease, pick the batch (a queued retry
    /// first, else the window after the watermark, sized by counting), fetch its pages,
    /// upsert them in one call, advance the watermark, release.
    ///
    /// A source or sink error counts an attempt (kept in the checkpoint with the error); the
    /// batch is retried by the next step with the same window and, after `max_attempts`,
    /// recorded as a failed range while the sync moves past it.
    pub async fn step(&self, tenant: &str, stream: &str) -> Result<StepOutcome, SyncError> {
        self.check_stream(stream)?;
        let now = (self.clock)();
        // An idle poll only reads.
        if let Some(checkpoint) = self.store.get(tenant, stream).await? {
            if checkpoint.status == SyncStatus::Done
                && checkpoint.lease.is_none()
                && !self.has_work(&checkpoint, now)
            {
                return Ok(StepOutcome::CaughtUp);
            }
        }
        let mut checkpoint = match self.claim(tenant, stream, now).await? {
            Ok(checkpoint) => checkpoint,
            Err(owner) => return Ok(StepOutcome::Busy { owner }),
        };
        let horizon = self.horizon(now);
        // The first claim pins where the initial range starts. Computing it afresh at every
        // step until a batch succeeded let it drift forward while the first batch was being
        // retried (a later `now`), past records it had already covered: a burst on the
        // range's first second was lost.
        if checkpoint.watermark.is_none() {
            checkpoint.watermark = Some(self.initial_start(now));
        }

        // Which batch: a queued retry, the sized head batch being retried, or a new window.
        let retrying = !checkpoint.retry_queue.is_empty();
        let sized = if retrying {
            Ok(checkpoint.retry_queue[0])
        } else if let Some(window) = checkpoint.current {
            Ok(window)
        } else {
            let start = checkpoint.watermark.unwrap_or(horizon);
            match self
                .config
                .sizer()
                .first(start, horizon, checkpoint.window_secs)
            {
                None => {
                    if checkpoint.status != SyncStatus::Done {
                        checkpoint.status = SyncStatus::Done;
                    }
                    self.refresh_pending(&mut checkpoint, now);
                    self.save_and_release(checkpoint).await?;
                    return Ok(StepOutcome::CaughtUp);
                }
                Some(first) => self.size(tenant, stream, first).await,
            }
        };
        if checkpoint.status == SyncStatus::NotStarted {
            checkpoint.status = SyncStatus::InProgress;
        }

        // Err carries whether the window was sized (a counting failure leaves it unsized, so
        // the retry counts again rather than fetching a window that may be too full).
        let result = match sized {
            Ok(window) => {
                if !retrying {
                    checkpoint.current = Some(window);
                }
                self.fetch_and_write(tenant, stream, window)
                    .await
                    .map(|(records, pages)| (window, records, pages))
                    .map_err(|error| (window, error, true))
            }
            Err((window, error)) => Err((window, error, false)),
        };

        let outcome = match result {
            Ok((window, records, pages)) => {
                if retrying {
                    checkpoint.retry_queue.remove(0);
                } else {
                    checkpoint.watermark = Some(window.end);
                    checkpoint.window_secs =
                        self.config.sizer().next_hint(window.width_secs(), records);
                    checkpoint.current = None;
                }
                checkpoint.attempts = 0;
                checkpoint.last_error = None;
                checkpoint.counters.completed += 1;
                checkpoint.counters.records += records;
                (window, Ok((records, pages)))
            }
            Err((window, error, sized)) => {
                let error = error.to_string();
                checkpoint.attempts += 1;
                checkpoint.last_error = Some(error.clone());
                let attempt = checkpoint.attempts;
                let permanently_failed = attempt >= self.config.max_attempts;
                tracing::warn!(tenant, stream, attempt, permanently_failed, error = %error, "sync batch failed");
                if permanently_failed {
                    checkpoint.failed_ranges.push(FailedRange {
                        window,
                        attempts: attempt,
                        error: error.clone(),
                    });
                    checkpoint.counters.failed += 1;
                    checkpoint.attempts = 0;
                    if retrying {
                        checkpoint.retry_queue.remove(0);
                    } else {
                        checkpoint.watermark = Some(window.end);
                        checkpoint.current = None;
                    }
                } else if !retrying {
                    checkpoint.current = sized.then_some(window);
                }
                (window, Err((attempt, permanently_failed, error)))
            }
        };
        if checkpoint.status == SyncStatus::InProgress
            && checkpoint
                .watermark
                .is_some_and(|watermark| watermark >= horizon)
        {
            checkpoint.status = SyncStatus::Done;
        }
        self.refresh_pending(&mut checkpoint, now);
        let more = self.has_work(&checkpoint, now);
        self.save_and_release(checkpoint).await?;
        Ok(match outcome {
            (window, Ok((records, pages))) => StepOutcome::Synced {
                window,
                records,
                pages,
                more,
            },
            (window, Err((attempt, permanently_failed, error))) => StepOutcome::Failed {
                window,
                attempt,
                permanently_failed,
                error,
                more,
            },
        })
    }

    /// Counts and halves from `window` until the sizer takes one (a paged one when it is at
    /// the minimum width and still too full). Returns it, or the window being counted and
    /// the error.
    async fn size(
        &self,
        tenant: &str,
        stream: &str,
        mut window: Window,
    ) -> Result<Window, (Window, BoxError)> {
        let sizer = self.config.sizer();
        loop {
            let count = self
                .source
                .count(tenant, stream, window)
                .await
                .map_err(|error| (window, error))?;
            match sizer.decide(window, count) {
                Sizing::Take { window, .. } => return Ok(window),
                Sizing::Shrink(next) => window = next,
            }
        }
    }

    /// Fetches every page of `window` and upserts the records (ids made unique, last one
    /// wins) in one sink call. Returns the records written and pages fetched.
    async fn fetch_and_write(
        &self,
        tenant: &str,
        stream: &str,
        window: Window,
    ) -> Result<(u64, u32), BoxError> {
        let limit = u32::try_from(self.config.batch_limit).unwrap_or(u32::MAX);
        let mut records: Vec<Record> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0u32;
        loop {
            let page = self
                .source
                .fetch_page(tenant, stream, window, cursor.as_deref(), limit)
                .await?;
            pages += 1;
            if page.records.len() as u64 > self.config.batch_limit {
                let error = format!(
                    "the source returned {} records for a page of at most {limit}",
                    page.records.len()
                );
                return Err(error.into());
            }
            records.extend(page.records);
            match page.next {
                Some(next) if cursor.as_deref() != Some(next.as_str()) => cursor = Some(next),
                Some(_) => return Err("the source returned the same page cursor twice".into()),
                None => break,
            }
        }
        let records = unique_by_id(records);
        self.sink.upsert(tenant, stream, &records).await?;
        Ok((records.len() as u64, pages))
    }

    /// Steps `tenant`'s `stream` until no work remains or another worker holds it; returns
    /// the outcomes.
    pub async fn drain(&self, tenant: &str, stream: &str) -> Result<Vec<StepOutcome>, SyncError> {
        let mut outcomes = Vec::new();
        loop {
            let outcome = self.step(tenant, stream).await?;
            let more = outcome.more_work();
            outcomes.push(outcome);
            if !more {
                return Ok(outcomes);
            }
        }
    }

    /// Drains every stream of every tenant: tenants in parallel (at most `parallelism` at a
    /// time), one batch at a time within a tenant. Returns each tenant's result.
    pub async fn drain_tenants(
        &self,
        tenants: &[String],
        parallelism: usize,
    ) -> Vec<(String, Result<u64, SyncError>)> {
        let streams = self.source.streams();
        stream::iter(tenants.iter().cloned())
            .map(|tenant| {
                let streams = streams.clone();
                async move {
                    let mut steps = 0u64;
                    for stream in &streams {
                        match self.drain(&tenant, stream).await {
                            Ok(outcomes) => steps += outcomes.len() as u64,
                            Err(error) => return (tenant, Err(error)),
                        }
                    }
                    (tenant, Ok(steps))
                }
            })
            .buffer_unordered(parallelism.max(1))
            .collect()
            .await
    }

    /// Queues `tenant`'s permanently failed ranges of `stream` for another try (each gets
    /// `max_attempts` fresh attempts); returns how many. They leave the `failed` count and
    /// join `pending`.
    pub async fn retry_failed(&self, tenant: &str, stream: &str) -> Result<usize, SyncError> {
        self.check_stream(stream)?;
        let now = (self.clock)();
        let mut checkpoint = match self.claim(tenant, stream, now).await? {
            Ok(checkpoint) => checkpoint,
            Err(_) => {
                return Err(SyncError::Busy {
                    tenant: tenant.to_owned(),
                    stream: stream.to_owned(),
                })
            }
        };
        let failed = std::mem::take(&mut checkpoint.failed_ranges);
        let count = failed.len();
        checkpoint.counters.failed = checkpoint.counters.failed.saturating_sub(count as u64);
        checkpoint
            .retry_queue
            .extend(failed.into_iter().map(|range| range.window));
        self.refresh_pending(&mut checkpoint, now);
        self.save_and_release(checkpoint).await?;
        Ok(count)
    }

    /// `tenant`'s progress over every stream of the source.
    pub async fn progress(&self, tenant: &str) -> Result<Progress, SyncError> {
        let checkpoints = self.store.list(tenant).await?;
        Ok(Progress::of(
            &self.source.streams(),
            &checkpoints,
            not_started_pending(&self.config),
        ))
    }

    /// The checkpoint of `tenant`'s `stream`, if any.
    pub async fn checkpoint(
        &self,
        tenant: &str,
        stream: &str,
    ) -> Result<Option<Checkpoint>, SyncError> {
        Ok(self.store.get(tenant, stream).await?)
    }
}

/// The pending-batch estimate of a stream never synced: its initial range at the widest
/// window.
pub(crate) fn not_started_pending(config: &SyncConfig) -> u64 {
    batches_for(secs(config.initial_range), secs(config.max_window))
}

/// The end of the synced range at `now`: `settle_lag` before it, whole seconds.
fn horizon(config: &SyncConfig, now: DateTime<Utc>) -> DateTime<Utc> {
    let horizon = now - TimeDelta::seconds(secs(config.settle_lag));
    DateTime::from_timestamp(horizon.timestamp(), 0).unwrap_or(horizon)
}

/// Where a first sync starts at `now`: `initial_range` before it, whole seconds.
fn initial_start(config: &SyncConfig, now: DateTime<Utc>) -> DateTime<Utc> {
    let start = now - TimeDelta::seconds(secs(config.initial_range));
    DateTime::from_timestamp(start.timestamp(), 0).unwrap_or(start)
}

/// Whether a tenant + stream with `checkpoint` (`None`: never synced) has a batch to run
/// at `now`: a queued retry, a batch being retried, or a watermark before the horizon.
pub fn has_work(config: &SyncConfig, checkpoint: Option<&Checkpoint>, now: DateTime<Utc>) -> bool {
    let Some(checkpoint) = checkpoint else {
        return true;
    };
    let start = checkpoint
        .watermark
        .unwrap_or_else(|| initial_start(config, now));
    !checkpoint.retry_queue.is_empty()
        || checkpoint.current.is_some()
        || start < horizon(config, now)
}

/// `records` with unique ids, in first-seen order, each id's last version kept.
fn unique_by_id(records: Vec<Record>) -> Vec<Record> {
    let mut position: HashMap<String, usize> = HashMap::with_capacity(records.len());
    let mut unique: Vec<Record> = Vec::with_capacity(records.len());
    for record in records {
        match position.get(&record.id) {
            Some(&at) => unique[at] = record,
            None => {
                position.insert(record.id.clone(), unique.len());
                unique.push(record);
            }
        }
    }
    unique
}
