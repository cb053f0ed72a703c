//! The channel implementations, one module each. A channel is a type that
//! implements [`Channel`](crate::Channel) (deliver one rendered message) and
//! [`FromConfig`](crate::FromConfig) (build it from its
//! [`ChannelConfig`](cloud_cron_runtime::contract::notifier::ChannelConfig)
//! and [`Secrets`](crate::Secrets)); its binary is
//! `src/bin/notifier-<kind>.rs`, calling [`run`](crate::run).

pub mod email;
