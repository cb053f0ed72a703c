//! Owns reading AWS SDK errors as one line: the error and its causes. (The
//! runtime crate has the same ten lines; depending on it for them would
//! link its DynamoDB client into the watchdog.)

/// An error and its causes, `: `-separated, each cause once.
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
