//! Owns routing: which resource a request's method and raw path address.
//! Works behind explicit routes and behind a `$default` / `ANY /{proxy+}`
//! route alike, because it reads `rawPath` rather than the route key; a named
//! stage's prefix (`/prod/schedules`) is removed first.

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::http::Method;
use percent_encoding::percent_decode_str;

use crate::problem::ApiError;

/// The collection's path.
pub const COLLECTION: &str = "/schedules";

/// What a request addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `POST /schedules`.
    Create,
    /// `GET /schedules`.
    List,
    /// `GET /schedules/{key}`.
    Get(String),
    /// `PUT /schedules/{key}`.
    Reschedule(String),
    /// `DELETE /schedules/{key}`.
    Cancel(String),
}

/// The route of `request`: 404 for another path, 405 (with the methods that
/// are allowed) for another method, 400 for a key that is not valid
/// percent-encoded UTF-8.
pub fn route(request: &ApiGatewayV2httpRequest) -> Result<Route, ApiError> {
    let context = &request.request_context;
    let path = request
        .raw_path
        .as_deref()
        .or(context.http.path.as_deref())
        .unwrap_or("/");
    let path = match context.stage.as_deref() {
        Some(stage) if stage != "$default" => path
            .strip_prefix('/')
            .and_then(|p| p.strip_prefix(stage))
            .filter(|p| p.starts_with('/'))
            .unwrap_or(path),
        _ => path,
    };
    let method = &context.http.method;
    if path == COLLECTION || path == "/schedules/" {
        return match *method {
            Method::POST => Ok(Route::Create),
            Method::GET => Ok(Route::List),
            _ => Err(not_allowed(method, "GET, POST")),
        };
    }
    let Some(encoded) = path.strip_prefix("/schedules/") else {
        return Err(ApiError::new(
            404,
            format!("no resource at `{path}`: the API serves /schedules and /schedules/{{key}}"),
        ));
    };
    if encoded.contains('/') {
        return Err(ApiError::new(
            404,
            format!("no resource at `{path}`: percent-encode `/` in keys as %2F"),
        )
        .with_field("key"));
    }
    let key = percent_decode_str(encoded)
        .decode_utf8()
        .map_err(|_| ApiError::invalid("key", "the key in the path is not percent-encoded UTF-8"))?
        .into_owned();
    match *method {
        Method::GET => Ok(Route::Get(key)),
        Method::PUT => Ok(Route::Reschedule(key)),
        Method::DELETE => Ok(Route::Cancel(key)),
        _ => Err(not_allowed(method, "GET, PUT, DELETE")),
    }
}

fn not_allowed(method: &Method, allowed: &str) -> ApiError {
    ApiError::new(405, format!("{method} is not allowed here: use {allowed}"))
}
