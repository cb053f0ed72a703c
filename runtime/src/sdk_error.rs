//! AWS SDK failures, read the same way everywhere in cloud-cron: an error's
//! text with its causes, and whether a request that never got an answer
//! failed for a local reason (configuration: retrying will not help) or on
//! the way (network: a later attempt may pass).

use aws_sdk_sns::error::SdkError;

/// An error and its causes, `: `-separated, each cause once (SDK and
/// reqwest errors put the useful part in their sources).
///
/// ```
/// let io = std::io::Error::new(std::io::ErrorKind::Other, "connection reset");
/// assert_eq!(cloud_cron_runtime::sdk_error::error_chain(&io), "connection reset");
/// ```
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let part = e.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = e.source();
    }
    text
}

/// Whether a request failed before anything was sent, for a local reason:
/// it could not be built, or the client refused to dispatch it (no region,
/// no credentials, a malformed endpoint). Works for the `SdkError` of every
/// AWS SDK crate (they share the type).
pub fn is_local_configuration<E, R>(error: &SdkError<E, R>) -> bool {
    match error {
        SdkError::ConstructionFailure(_) => true,
        SdkError::DispatchFailure(dispatch) => dispatch.is_user(),
        _ => false,
    }
}

/// For a request to `service` that got no answer: what to do about it, and
/// whether a later attempt may pass (not when the cause is local).
pub fn unanswered<E, R>(service: &str, error: &SdkError<E, R>) -> (String, bool) {
    if is_local_configuration(error) {
        (
            "check the AWS configuration (region, credentials, endpoint URL)".to_owned(),
            false,
        )
    } else {
        (
            format!(
                "{service} could not be reached or answered oddly: check the network and the \
                 endpoint; a later attempt may succeed"
            ),
            true,
        )
    }
}
