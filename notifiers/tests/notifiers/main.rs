//! The notifiers' integration tests, one binary (each test binary links the
//! AWS SDK): one module per concern, `support` and `http_support` shared.
//!
//! The tests that change process-wide environment variables are in the
//! `process_env` binary, where nothing runs beside them.

mod alarms;
mod email_ses;
mod end_to_end;
mod failed_run;
mod fire_now;
mod from_config;
mod http_support;
mod logs;
mod processor;
mod secrets;
mod slack;
mod support;
mod synthesized_config;
mod teams;
mod template_file;
mod template_s3;
mod template_ssm;
mod template_url;
mod twilio;
mod webhook;
