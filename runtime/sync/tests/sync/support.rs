//! Shared test helpers: a [`Source`] wrapper that records windows and pages, injects faults
//! and measures concurrency; the Odoo stand-in; moto's DynamoDB.

#![allow(dead_code)] // each module uses a different part

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use chrono::{DateTime, Utc};
use cloud_cron_odoo::{OdooClient, OdooConfig, Protocol, SecretString};
use cloud_cron_sync::{BoxError, Page, Progress, Source, Window};
use cloud_cron_test_support::odoo_server::OdooStandIn;
use serde_json::Value;

/// Which batches fail, and how often.
#[derive(Clone, Debug)]
pub struct Fault {
    /// Batches whose window contains this instant fail...
    pub at: DateTime<Utc>,
    /// ...this many times (`u32::MAX`: always).
    pub times: u32,
    /// In `count` rather than `fetch_page`.
    pub in_count: bool,
}

/// Wraps a source: logs every count and page, fails chosen batches, measures how many calls
/// for one tenant + stream run at once.
pub struct Recording<S> {
    pub inner: S,
    pub faults: Mutex<Vec<Fault>>,
    pub counts: Mutex<Vec<(Window, u64)>>,
    pub pages: Mutex<Vec<(Window, usize)>>,
    pub delay: Duration,
    in_flight: Mutex<HashMap<(String, String), usize>>,
    pub max_in_flight: AtomicUsize,
}

impl<S> Recording<S> {
    pub fn new(inner: S) -> Self {
        Recording {
            inner,
            faults: Mutex::new(Vec::new()),
            counts: Mutex::new(Vec::new()),
            pages: Mutex::new(Vec::new()),
            delay: Duration::ZERO,
            in_flight: Mutex::new(HashMap::new()),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn fail(&self, fault: Fault) {
        self.faults.lock().expect("faults").push(fault);
    }

    pub fn clear_faults(&self) {
        self.faults.lock().expect("faults").clear();
    }

    fn injected(&self, window: Window, in_count: bool) -> Result<(), BoxError> {
        let mut faults = self.faults.lock().expect("faults");
        for fault in faults.iter_mut() {
            if fault.in_count == in_count && window.contains(fault.at) && fault.times > 0 {
                if fault.times != u32::MAX {
                    fault.times -= 1;
                }
                return Err(format!(
                    "injected fault in {} at {}",
                    if in_count { "count" } else { "fetch" },
                    fault.at
                )
                .into());
            }
        }
        Ok(())
    }

    fn enter(&self, tenant: &str, stream: &str) {
        let mut in_flight = self.in_flight.lock().expect("in flight");
        let now = in_flight
            .entry((tenant.to_owned(), stream.to_owned()))
            .or_default();
        *now += 1;
        self.max_in_flight.fetch_max(*now, Ordering::SeqCst);
    }

    fn leave(&self, tenant: &str, stream: &str) {
        let mut in_flight = self.in_flight.lock().expect("in flight");
        if let Some(now) = in_flight.get_mut(&(tenant.to_owned(), stream.to_owned())) {
            *now -= 1;
        }
    }
}

impl<S: Source> Source for Recording<S> {
    fn streams(&self) -> Vec<String> {
        self.inner.streams()
    }

    async fn count(&self, tenant: &str, stream: &str, window: Window) -> Result<u64, BoxError> {
        self.enter(tenant, stream);
        tokio::time::sleep(self.delay).await;
        let result = match self.injected(window, true) {
            Ok(()) => self.inner.count(tenant, stream, window).await,
            Err(error) => Err(error),
        };
        self.leave(tenant, stream);
        let count = result?;
        self.counts.lock().expect("counts").push((window, count));
        Ok(count)
    }

    async fn fetch_page(
        &self,
        tenant: &str,
        stream: &str,
        window: Window,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page, BoxError> {
        self.enter(tenant, stream);
        tokio::time::sleep(self.delay).await;
        let result = match self.injected(window, false) {
            Ok(()) => {
                self.inner
                    .fetch_page(tenant, stream, window, cursor, limit)
                    .await
            }
            Err(error) => Err(error),
        };
        self.leave(tenant, stream);
        let page = result?;
        self.pages
            .lock()
            .expect("pages")
            .push((window, page.records.len()));
        Ok(page)
    }
}

/// Progress numbers that must always hold.
pub fn assert_adds_up(progress: &Progress) {
    assert_eq!(
        progress.total,
        progress.completed + progress.failed + progress.pending,
        "{progress:?}"
    );
    assert!((0.0..=100.0).contains(&progress.percent), "{progress:?}");
    let expected = if progress.total == 0 {
        100.0
    } else {
        (progress.completed + progress.failed) as f64 * 100.0 / progress.total as f64
    };
    assert!((progress.percent - expected).abs() < 1e-9, "{progress:?}");
}

// ---------------------------------------------------------------------------------------
// The Odoo stand-in

pub use cloud_cron_test_support::odoo_server::{
    ADMIN as ODOO_ADMIN, ADMIN_PASSWORD as ODOO_ADMIN_PASSWORD, DB as ODOO_DB,
};

/// `runtime/odoo/tests/odoo_server.py` on a free port; killed on drop.
pub struct OdooServer(OdooStandIn);

impl OdooServer {
    pub fn start() -> OdooServer {
        OdooServer(OdooStandIn::start())
    }

    pub fn url(&self) -> String {
        self.0.url()
    }

    pub fn client(&self) -> OdooClient {
        let config = OdooConfig::new(
            &self.url(),
            ODOO_DB,
            ODOO_ADMIN,
            SecretString::from(ODOO_ADMIN_PASSWORD),
        )
        .expect("valid config")
        .protocol(Protocol::JsonRpc);
        OdooClient::new(config).expect("client")
    }

    /// Creates `values.len()` records in one `create` call (they share the current
    /// `write_date` second or two: a burst); returns their ids.
    pub async fn create_many(&self, model: &str, values: Vec<Value>) -> Vec<i64> {
        let created = self
            .client()
            .call(
                model,
                "create",
                vec![Value::Array(values)],
                Default::default(),
            )
            .await
            .expect("create records");
        serde_json::from_value(created).expect("ids")
    }

    /// From now on the server stores `write_date` with microseconds and returns it to the
    /// second, as Odoo does.
    pub async fn store_subsecond_write_dates(&self) {
        reqwest::Client::new()
            .post(format!("{}/_test/config", self.url()))
            .body(r#"{"subsecond_write_date": true}"#)
            .send()
            .await
            .expect("control request")
            .error_for_status()
            .expect("control status");
    }

    /// Every row of `model` as the server stores it.
    pub async fn records(&self, model: &str) -> Vec<Value> {
        let body = reqwest::get(format!("{}/_test/records?model={model}", self.url()))
            .await
            .expect("control request")
            .text()
            .await
            .expect("control body");
        serde_json::from_str(&body).expect("control JSON")
    }
}

// ---------------------------------------------------------------------------------------
// moto

pub use cloud_cron_test_support::moto_endpoint;

/// A DynamoDB client for moto with its dummy credentials (nothing can reach real AWS).
pub async fn dynamodb() -> aws_sdk_dynamodb::Client {
    let config = cloud_cron_test_support::sdk_config(&moto_endpoint()).await;
    aws_sdk_dynamodb::Client::new(&config)
}

/// A fresh table keyed by `pk` (S) and `sk` (S); returns its name.
pub async fn create_table(client: &aws_sdk_dynamodb::Client, prefix: &str) -> String {
    let name = format!("{prefix}-{:08x}", fastrand::u32(..));
    let key = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("key")
    };
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute")
    };
    client
        .create_table()
        .table_name(&name)
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .attribute_definitions(attribute("pk"))
        .attribute_definitions(attribute("sk"))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("create table");
    name
}
