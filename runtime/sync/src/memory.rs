//! In-memory [`Source`], [`Sink`] and [`CheckpointStore`]: for unit tests, benchmarks and
//! trying the engine out. The store honours the same compare-and-set contract as
//! [`DynamoCheckpointStore`](crate::DynamoCheckpointStore).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::checkpoint::{Checkpoint, CheckpointStore, StoreError};
use crate::sink::Sink;
use crate::source::{BoxError, Page, Record, Source};
use crate::window::Window;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

type StreamKey = (String, String);
/// A stream's records by (modification time in seconds, id).
type ByTime = BTreeMap<(i64, String), Value>;
/// (tenant, stream, id).
type RecordKey = (String, String, String);

/// Records per tenant + stream, ordered by (modification time, id); pages resume after the
/// last (time, id) returned.
#[derive(Debug, Default)]
pub struct MemorySource {
    streams: Vec<String>,
    records: Mutex<HashMap<StreamKey, ByTime>>,
    ids: Mutex<HashMap<StreamKey, HashMap<String, i64>>>,
}

impl MemorySource {
    /// A source serving `streams`.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(streams: I) -> Self {
        MemorySource {
            streams: streams.into_iter().map(Into::into).collect(),
            ..MemorySource::default()
        }
    }

    /// Inserts or modifies record `id` (moving it to `modified_at`).
    pub fn insert(
        &self,
        tenant: &str,
        stream: &str,
        id: &str,
        modified_at: DateTime<Utc>,
        data: Value,
    ) {
        let key = (tenant.to_owned(), stream.to_owned());
        let mut ids = lock(&self.ids);
        let mut records = lock(&self.records);
        let by_time = records.entry(key.clone()).or_default();
        if let Some(old) = ids
            .entry(key)
            .or_default()
            .insert(id.to_owned(), modified_at.timestamp())
        {
            by_time.remove(&(old, id.to_owned()));
        }
        by_time.insert((modified_at.timestamp(), id.to_owned()), data);
    }

    /// How many records `tenant`'s `stream` holds.
    pub fn len(&self, tenant: &str, stream: &str) -> usize {
        lock(&self.records)
            .get(&(tenant.to_owned(), stream.to_owned()))
            .map_or(0, BTreeMap::len)
    }

    /// Whether `tenant`'s `stream` holds no records.
    pub fn is_empty(&self, tenant: &str, stream: &str) -> bool {
        self.len(tenant, stream) == 0
    }

    fn in_window(
        &self,
        tenant: &str,
        stream: &str,
        window: Window,
        after: Option<(i64, String)>,
        limit: usize,
    ) -> Vec<((i64, String), Value)> {
        let records = lock(&self.records);
        let Some(by_time) = records.get(&(tenant.to_owned(), stream.to_owned())) else {
            return Vec::new();
        };
        let lower = (window.start.timestamp(), String::new());
        by_time
            .range(lower..)
            .take_while(|((at, _), _)| *at < window.end.timestamp())
            .filter(|(key, _)| after.as_ref().is_none_or(|after| *key > after))
            .take(limit)
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    }
}

impl Source for MemorySource {
    fn streams(&self) -> Vec<String> {
        self.streams.clone()
    }

    async fn count(&self, tenant: &str, stream: &str, window: Window) -> Result<u64, BoxError> {
        let records = lock(&self.records);
        let Some(by_time) = records.get(&(tenant.to_owned(), stream.to_owned())) else {
            return Ok(0);
        };
        let start = (window.start.timestamp(), String::new());
        let end = (window.end.timestamp(), String::new());
        Ok(by_time.range(start..end).count() as u64)
    }

    async fn fetch_page(
        &self,
        tenant: &str,
        stream: &str,
        window: Window,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page, BoxError> {
        let after = match cursor {
            None => None,
            Some(cursor) => {
                let (at, id) = cursor.split_once('|').ok_or("malformed memory cursor")?;
                Some((at.parse::<i64>()?, id.to_owned()))
            }
        };
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let found = self.in_window(tenant, stream, window, after, limit);
        let next = (found.len() == limit)
            .then(|| found.last().map(|((at, id), _)| format!("{at}|{id}")))
            .flatten();
        Ok(Page {
            records: found
                .into_iter()
                .map(|((_, id), data)| Record { id, data })
                .collect(),
            next,
        })
    }
}

/// Records by (tenant, stream, id), with how many times each was written.
#[derive(Debug, Default)]
pub struct MemorySink {
    records: Mutex<BTreeMap<RecordKey, (Value, u32)>>,
}

impl MemorySink {
    /// How many distinct records were written.
    pub fn len(&self) -> usize {
        lock(&self.records).len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Record `id` of `tenant`'s `stream` and how many times it was written.
    pub fn get(&self, tenant: &str, stream: &str, id: &str) -> Option<(Value, u32)> {
        lock(&self.records)
            .get(&(tenant.to_owned(), stream.to_owned(), id.to_owned()))
            .cloned()
    }

    /// Every (tenant, stream, id) with its write count.
    pub fn write_counts(&self) -> BTreeMap<RecordKey, u32> {
        lock(&self.records)
            .iter()
            .map(|(key, (_, writes))| (key.clone(), *writes))
            .collect()
    }
}

impl Sink for MemorySink {
    async fn upsert(&self, tenant: &str, stream: &str, records: &[Record]) -> Result<(), BoxError> {
        let mut stored = lock(&self.records);
        for record in records {
            let entry = stored
                .entry((tenant.to_owned(), stream.to_owned(), record.id.clone()))
                .or_insert((Value::Null, 0));
            entry.0 = record.data.clone();
            entry.1 += 1;
        }
        Ok(())
    }
}

/// Checkpoints in a map, written with the same compare-and-set as the DynamoDB store.
#[derive(Debug, Default)]
pub struct MemoryCheckpointStore {
    checkpoints: Mutex<BTreeMap<StreamKey, Checkpoint>>,
}

impl CheckpointStore for MemoryCheckpointStore {
    async fn get(&self, tenant: &str, stream: &str) -> Result<Option<Checkpoint>, StoreError> {
        Ok(lock(&self.checkpoints)
            .get(&(tenant.to_owned(), stream.to_owned()))
            .cloned())
    }

    async fn put(&self, checkpoint: &Checkpoint, expected: Option<u64>) -> Result<(), StoreError> {
        let mut checkpoints = lock(&self.checkpoints);
        let key = (checkpoint.tenant.clone(), checkpoint.stream.clone());
        let stored = checkpoints.get(&key).map(|stored| stored.version);
        if stored != expected {
            return Err(StoreError::Conflict {
                tenant: key.0,
                stream: key.1,
            });
        }
        checkpoints.insert(key, checkpoint.clone());
        Ok(())
    }

    async fn list(&self, tenant: &str) -> Result<Vec<Checkpoint>, StoreError> {
        Ok(lock(&self.checkpoints)
            .values()
            .filter(|checkpoint| checkpoint.tenant == tenant)
            .cloned()
            .collect())
    }
}
