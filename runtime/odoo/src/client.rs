//! [`OdooClient`]: authentication (uid cached per client) and the model calls, over the
//! protocol the configuration names.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tokio::sync::Mutex;
use tracing::Instrument;

use crate::config::{OdooConfig, Protocol};
use crate::domain::Domain;
use crate::error::{redact, Fault, FaultCode, FaultKind, OdooError};
use crate::xmlrpc::Response;
use crate::{jsonrpc, xmlrpc};

/// What `common.version()` reports.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct ServerVersion {
    /// E.g. `"17.0"` or `"saas~17.2+e"`.
    pub server_version: String,
    /// E.g. `[17, 0, 0, "final", 0, ""]`.
    pub server_version_info: Vec<Value>,
    /// E.g. `"17.0"`.
    pub server_serie: String,
    /// The external API protocol version (1).
    pub protocol_version: i64,
}

/// Options of [`OdooClient::search_read`]; unset options are not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchReadOptions {
    /// Fields to return (`id` always comes back); empty: every field.
    pub fields: Vec<String>,
    /// At most this many records.
    pub limit: Option<u32>,
    /// Skip this many records first (0: none).
    pub offset: u32,
    /// Sort order, e.g. `"write_date asc, id asc"`.
    pub order: Option<String>,
}

impl SearchReadOptions {
    /// Return only these fields.
    pub fn fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Return at most `limit` records.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Skip the first `offset` records.
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = offset;
        self
    }

    /// Sort by `order` (`"field [asc|desc], ..."`).
    pub fn order(mut self, order: impl Into<String>) -> Self {
        self.order = Some(order.into());
        self
    }
}

#[derive(Clone, Copy)]
enum Service {
    Common,
    Object,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Common => "common",
            Service::Object => "object",
        }
    }
}

/// A model call in both shapes: `execute_kw(args, kwargs)` and Odoo 7's positional `execute`.
struct ModelCall {
    args: Vec<Value>,
    kwargs: Map<String, Value>,
    legacy_args: Option<Vec<Value>>,
}

/// A client for one Odoo database.
///
/// Cheap to share (`Arc<OdooClient>`); the user id from the first authentication is cached
/// and reused until the server answers `AccessDenied` (password changed or user disabled).
#[derive(Debug)]
pub struct OdooClient {
    config: OdooConfig,
    transport: crate::transport::Transport,
    uid: Mutex<Option<i64>>,
    next_id: AtomicU64,
}

impl OdooClient {
    /// A client for `config`. Nothing is sent until the first call.
    pub fn new(config: OdooConfig) -> Result<Self, OdooError> {
        let transport =
            crate::transport::Transport::new(config.connect_timeout, config.request_timeout)?;
        Ok(OdooClient {
            config,
            transport,
            uid: Mutex::new(None),
            next_id: AtomicU64::new(1),
        })
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &OdooConfig {
        &self.config
    }

    /// `common.version()`: the server's version (needs no credentials).
    pub async fn version(&self) -> Result<ServerVersion, OdooError> {
        let value = self
            .rpc(Service::Common, "version", Vec::new(), "common")
            .await?;
        decode("common", "version", value, &self.secret())
    }

    /// The user id, authenticating on first use (`common.authenticate(db, login, password, {})`;
    /// Odoo 7: `common.login(db, login, password)`). Refused credentials give
    /// [`OdooError::AuthenticationFailed`].
    pub async fn authenticate(&self) -> Result<i64, OdooError> {
        let mut cached = self.uid.lock().await;
        if let Some(uid) = *cached {
            return Ok(uid);
        }
        let password = Value::String(self.secret());
        let (method, args) = match self.config.protocol {
            Protocol::XmlRpcLegacy => ("login", vec![self.database(), self.login(), password]),
            Protocol::XmlRpc2 | Protocol::JsonRpc => (
                "authenticate",
                vec![self.database(), self.login(), password, json!({})],
            ),
        };
        let answer = self.rpc(Service::Common, method, args, "common").await?;
        match answer.as_i64() {
            Some(uid) if uid > 0 => {
                *cached = Some(uid);
                Ok(uid)
            }
            // `False` (or 0): wrong login/password, inactive user.
            _ if answer == Value::Bool(false) || answer.as_i64() == Some(0) => {
                Err(OdooError::AuthenticationFailed {
                    database: self.config.database.clone(),
                    login: self.config.login.clone(),
                })
            }
            _ => Err(OdooError::Decode {
                model: "common".into(),
                method: method.into(),
                detail: "expected a user id or false".into(),
            }),
        }
    }

    /// Calls any model method: `execute_kw(db, uid, password, model, method, args, kwargs)`.
    ///
    /// With [`Protocol::XmlRpcLegacy`] this is `execute(db, uid, password, model, method,
    /// *args)`, which has no keyword arguments: non-empty `kwargs` are refused.
    pub async fn call(
        &self,
        model: &str,
        method: &str,
        args: Vec<Value>,
        kwargs: Map<String, Value>,
    ) -> Result<Value, OdooError> {
        let legacy_args = kwargs.is_empty().then(|| args.clone());
        self.execute(
            model,
            method,
            ModelCall {
                args,
                kwargs,
                legacy_args,
            },
        )
        .await
    }

    /// `search_count(domain)`: how many records match.
    pub async fn search_count(&self, model: &str, domain: &Domain) -> Result<u64, OdooError> {
        let args = vec![domain.to_value()];
        let value = self
            .execute(model, "search_count", positional(args))
            .await?;
        decode(model, "search_count", value, &self.secret())
    }

    /// `search_read(domain, fields, offset, limit, order)`: the matching records, decoded as `T`
    /// (a struct with the fields asked for, or `serde_json::Value`). Odoo returns `false` for
    /// empty fields and `[id, name]` pairs for many2one fields.
    pub async fn search_read<T: DeserializeOwned>(
        &self,
        model: &str,
        domain: &Domain,
        options: &SearchReadOptions,
    ) -> Result<Vec<T>, OdooError> {
        let mut kwargs = Map::new();
        if !options.fields.is_empty() {
            kwargs.insert("fields".into(), json!(options.fields));
        }
        if options.offset > 0 {
            kwargs.insert("offset".into(), json!(options.offset));
        }
        if let Some(limit) = options.limit {
            kwargs.insert("limit".into(), json!(limit));
        }
        if let Some(order) = &options.order {
            kwargs.insert("order".into(), json!(order));
        }
        let or_false = |value: Option<Value>| value.unwrap_or(Value::Bool(false));
        let legacy_args = vec![
            domain.to_value(),
            or_false((!options.fields.is_empty()).then(|| json!(options.fields))),
            json!(options.offset),
            or_false(options.limit.map(|limit| json!(limit))),
            or_false(options.order.as_ref().map(|order| json!(order))),
        ];
        let call = ModelCall {
            args: vec![domain.to_value()],
            kwargs,
            legacy_args: Some(legacy_args),
        };
        let value = self.execute(model, "search_read", call).await?;
        decode(model, "search_read", value, &self.secret())
    }

    /// `read(ids, fields)`: these records (all fields when `fields` is empty). A missing id is a
    /// [`FaultKind::MissingError`] fault.
    pub async fn read<T: DeserializeOwned>(
        &self,
        model: &str,
        ids: &[i64],
        fields: &[&str],
    ) -> Result<Vec<T>, OdooError> {
        let mut kwargs = Map::new();
        if !fields.is_empty() {
            kwargs.insert("fields".into(), json!(fields));
        }
        let call = ModelCall {
            args: vec![json!(ids)],
            kwargs,
            legacy_args: Some(vec![json!(ids), json!(fields)]),
        };
        let value = self.execute(model, "read", call).await?;
        decode(model, "read", value, &self.secret())
    }

    /// `create(values)`: the new record's id.
    pub async fn create<V: Serialize + ?Sized>(
        &self,
        model: &str,
        values: &V,
    ) -> Result<i64, OdooError> {
        let values = to_value(model, "create", values)?;
        let value = self
            .execute(model, "create", positional(vec![values]))
            .await?;
        match value {
            // Odoo 12+ also accepts a list of dicts and answers a list of ids.
            Value::Array(ids) if ids.len() == 1 => {
                decode(model, "create", ids[0].clone(), &self.secret())
            }
            other => decode(model, "create", other, &self.secret()),
        }
    }

    /// `write(ids, values)`: updates these records.
    pub async fn write<V: Serialize + ?Sized>(
        &self,
        model: &str,
        ids: &[i64],
        values: &V,
    ) -> Result<(), OdooError> {
        let values = to_value(model, "write", values)?;
        let value = self
            .execute(model, "write", positional(vec![json!(ids), values]))
            .await?;
        if value == Value::Bool(true) {
            Ok(())
        } else {
            Err(OdooError::Decode {
                model: model.into(),
                method: "write".into(),
                detail: format!("expected true, got {}", kind_of(&value)),
            })
        }
    }

    /// Runs a scheduled action now: `ir.cron` `method_direct_trigger([cron_id])`, as the
    /// "Run Manually" button does.
    pub async fn run_cron(&self, cron_id: i64) -> Result<(), OdooError> {
        self.execute(
            "ir.cron",
            "method_direct_trigger",
            positional(vec![json!([cron_id])]),
        )
        .await
        .map(drop)
    }

    async fn execute(
        &self,
        model: &str,
        method: &str,
        call: ModelCall,
    ) -> Result<Value, OdooError> {
        if self.config.protocol == Protocol::XmlRpcLegacy && call.legacy_args.is_none() {
            return Err(OdooError::Config(format!(
                "Odoo 7's execute takes positional arguments only; {model}.{method} was given keyword arguments \
                 (use Protocol::XmlRpc2 or JsonRpc, or pass them positionally)"
            )));
        }
        let uid = self.authenticate().await?;
        let head = |uid: i64| {
            vec![
                self.database(),
                json!(uid),
                Value::String(self.secret()),
                json!(model),
                json!(method),
            ]
        };
        let (rpc_method, params) = match self.config.protocol {
            Protocol::XmlRpcLegacy => {
                let mut params = head(uid);
                params.extend(call.legacy_args.unwrap_or_default());
                ("execute", params)
            }
            Protocol::XmlRpc2 | Protocol::JsonRpc => {
                let mut params = head(uid);
                params.push(Value::Array(call.args));
                params.push(Value::Object(call.kwargs));
                ("execute_kw", params)
            }
        };
        let result = self
            .rpc_model(Service::Object, rpc_method, params, model, method)
            .await;
        if let Err(OdooError::Fault(fault)) = &result {
            if fault.kind == FaultKind::AccessDenied {
                // Password changed or user disabled: authenticate afresh next time.
                *self.uid.lock().await = None;
            }
        }
        result
    }

    async fn rpc(
        &self,
        service: Service,
        method: &str,
        params: Vec<Value>,
        model: &str,
    ) -> Result<Value, OdooError> {
        self.rpc_model(service, method, params, model, method).await
    }

    /// One RPC. The span carries the model and method only: never arguments or credentials.
    async fn rpc_model(
        &self,
        service: Service,
        rpc_method: &str,
        params: Vec<Value>,
        model: &str,
        method: &str,
    ) -> Result<Value, OdooError> {
        let span = tracing::info_span!("odoo_rpc", model = %model, method = %method);
        async move {
            let started = Instant::now();
            let result = self.send(service, rpc_method, params, model, method).await;
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match &result {
                Ok(_) => tracing::debug!(elapsed_ms, "odoo call succeeded"),
                Err(error) => tracing::warn!(
                    elapsed_ms,
                    transient = error.is_transient(),
                    error = %error,
                    "odoo call failed"
                ),
            }
            result
        }
        .instrument(span)
        .await
    }

    async fn send(
        &self,
        service: Service,
        rpc_method: &str,
        params: Vec<Value>,
        model: &str,
        method: &str,
    ) -> Result<Value, OdooError> {
        let secret = self.secret();
        let (path, content_type, body) = match self.config.protocol {
            Protocol::JsonRpc => {
                let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                (
                    "jsonrpc".to_owned(),
                    "application/json",
                    jsonrpc::encode_call(service.name(), rpc_method, params, id),
                )
            }
            protocol => {
                let prefix = if protocol == Protocol::XmlRpcLegacy {
                    "xmlrpc"
                } else {
                    "xmlrpc/2"
                };
                let body = xmlrpc::encode_call(rpc_method, &params).map_err(|detail| {
                    OdooError::Decode {
                        model: model.into(),
                        method: method.into(),
                        detail: format!(
                            "cannot encode the arguments: {}",
                            redact(&detail, &secret)
                        ),
                    }
                })?;
                (format!("{prefix}/{}", service.name()), "text/xml", body)
            }
        };
        let endpoint = self.config.endpoint(&path)?;
        tracing::trace!(protocol = self.config.protocol.name(), endpoint = %endpoint, "odoo request");
        let answer = self.transport.post(&endpoint, content_type, body).await?;
        let decoded = match self.config.protocol {
            Protocol::JsonRpc => jsonrpc::decode_response(&answer),
            Protocol::XmlRpc2 | Protocol::XmlRpcLegacy => xmlrpc::decode_response(&answer),
        };
        match decoded {
            Ok(Response::Value(value)) => Ok(value),
            Ok(Response::Fault(code, text)) => {
                let code = match code {
                    FaultCode::Text(code) => FaultCode::Text(redact(&code, &secret)),
                    int => int,
                };
                Err(OdooError::from(Fault::new(
                    code,
                    redact(&text, &secret),
                    model,
                    method,
                )))
            }
            Err(detail) => Err(OdooError::Protocol {
                endpoint: endpoint.to_string(),
                detail,
            }),
        }
    }

    fn database(&self) -> Value {
        Value::String(self.config.database.clone())
    }

    fn login(&self) -> Value {
        Value::String(self.config.login.clone())
    }

    /// The password, for the request body only.
    fn secret(&self) -> String {
        self.config.password.expose_secret().to_owned()
    }
}

/// Positional arguments, the same for `execute_kw` and Odoo 7's `execute`.
fn positional(args: Vec<Value>) -> ModelCall {
    ModelCall {
        legacy_args: Some(args.clone()),
        args,
        kwargs: Map::new(),
    }
}

fn to_value<V: Serialize + ?Sized>(
    model: &str,
    method: &str,
    values: &V,
) -> Result<Value, OdooError> {
    serde_json::to_value(values).map_err(|error| OdooError::Decode {
        model: model.into(),
        method: method.into(),
        detail: format!("cannot serialize the values: {error}"),
    })
}

fn decode<T: DeserializeOwned>(
    model: &str,
    method: &str,
    value: Value,
    secret: &str,
) -> Result<T, OdooError> {
    let shape = kind_of(&value);
    serde_json::from_value(value).map_err(|error| OdooError::Decode {
        model: model.into(),
        method: method.into(),
        detail: redact(&format!("{error} (got {shape})"), secret),
    })
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
