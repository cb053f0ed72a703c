//! Notifier Lambda bodies, one per notification channel.
//!
//! Nothing is implemented here yet: the channels (SES email, Twilio SMS,
//! Slack, Teams, webhooks) and their shared SQS batch processor arrive with
//! the notification-channel work. This crate exists so the workspace has its
//! final shape.
