//! A run's input: reading the JSON a `.job(name, schedule, input)` schedule
//! carries, or a one-off schedule's payload, as the task's own type, with
//! an error that names the job or the one-off key.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A job's input could not be read as the task's type.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The run is not a job's run: the function's own schedule, an
    /// EventBridge rule, or a manual invoke without `"job"`.
    #[error("this run has no job input (it was not started by a .job(..) schedule); invoke it by hand with {{\"job\": \"NAME\", \"input\": {{..}}}} to run one job")]
    NoJob,
    /// The input is not the shape the task expects.
    #[error("the input of job `{job}` is not a {expected}: {source}; fix the input given to .job(\"{job}\", ..)")]
    Invalid {
        /// The job.
        job: String,
        /// The type the task asked for.
        expected: &'static str,
        /// What serde found wrong.
        #[source]
        source: serde_json::Error,
    },
    /// A one-off schedule's payload is not the shape the task expects.
    #[error("the payload of one-off schedule `{key}` is not a {expected}: {source}; schedule it with a payload of that shape")]
    InvalidOneOff {
        /// The schedule's key.
        key: String,
        /// The type the task asked for.
        expected: &'static str,
        /// What serde found wrong.
        #[source]
        source: serde_json::Error,
    },
}

/// Read `input` (absent reads as JSON `null`) of job `job` as a `T`.
pub(crate) fn read<T: DeserializeOwned>(
    job: Option<&str>,
    input: Option<&Value>,
) -> Result<T, InputError> {
    let job = job.ok_or(InputError::NoJob)?;
    let value = input.cloned().unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|source| InputError::Invalid {
        job: job.to_owned(),
        expected: std::any::type_name::<T>(),
        source,
    })
}

/// Read the payload `input` of the one-off schedule of `key` as a `T`.
pub(crate) fn read_one_off<T: DeserializeOwned>(
    key: &str,
    input: Option<&Value>,
) -> Result<T, InputError> {
    let value = input.cloned().unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|source| InputError::InvalidOneOff {
        key: key.to_owned(),
        expected: std::any::type_name::<T>(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Call {
        model: String,
        method: String,
    }

    #[test]
    fn a_job_input_reads_as_the_task_type() {
        let input = json!({"model": "res.partner", "method": "archive"});
        let call: Call = read(Some("archive"), Some(&input)).expect("reads");
        assert_eq!(call.method, "archive");
        let none: Option<Call> = read(Some("archive"), None).expect("null is None");
        assert_eq!(none, None);
    }

    #[test]
    fn errors_name_the_job_and_what_serde_found() {
        let err = read::<Call>(Some("archive"), Some(&json!({"model": "x"}))).expect_err("bad");
        let text = err.to_string();
        assert!(
            text.contains("job `archive`") && text.contains("missing field `method`"),
            "{text}"
        );
        let err = read::<Call>(None, Some(&json!({}))).expect_err("no job");
        assert!(matches!(err, InputError::NoJob), "{err}");
        let call: Call =
            read_one_off("acme/x", Some(&json!({"model": "m", "method": "f"}))).expect("reads");
        assert_eq!(call.model, "m");
        let err = read_one_off::<Call>("acme/x", Some(&json!({}))).expect_err("bad");
        assert!(
            err.to_string().contains("one-off schedule `acme/x`"),
            "{err}"
        );
    }
}
