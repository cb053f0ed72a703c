//! The default alarm templates of each channel kind: how a CloudWatch alarm
//! notification or a watchdog finding reads in an email, an SMS, Slack,
//! Teams or a webhook's JSON when the channel sets no alarm template of its
//! own (`CLOUDCRON_TEMPLATE_ALARM_<PART>`). The texts live next to this
//! module in `defaults/*.j2`; a test checks each with [`check_for`](crate::check_for).

use cloud_cron_contract::notifier::{ChannelKind, TemplatePart};

const EMAIL_SUBJECT: &str = include_str!("defaults/email_subject.j2");
const EMAIL_TEXT: &str = include_str!("defaults/email_text.j2");
const EMAIL_HTML: &str = include_str!("defaults/email_html.j2");
const SMS_BODY: &str = include_str!("defaults/sms_body.j2");
const SLACK_BODY: &str = include_str!("defaults/slack_body.j2");
const TEAMS_TITLE: &str = include_str!("defaults/teams_title.j2");
const TEAMS_BODY: &str = include_str!("defaults/teams_body.j2");
const WEBHOOK_BODY: &str = include_str!("defaults/webhook_body.j2");

/// The default alarm templates of `kind`, part by part:
///
/// | kind | parts |
/// |---|---|
/// | email | subject (`alarm.title`), text and HTML bodies: what happened, the reason, the state change, the metric, the console link |
/// | sms | body: the title, the reason cut to 200 characters, the console link |
/// | slack | body: `mrkdwn` with the title in bold, the description and reason, a console link |
/// | teams | title and a Markdown body |
/// | webhook | body: `{"source": ..., "alarm": {...}, "finding": {...} or null}` |
///
/// ```
/// use cloud_cron_contract::notifier::{ChannelKind, TemplatePart};
/// let parts = cloud_cron_templates::default_alarm_templates(ChannelKind::Email);
/// assert_eq!(parts.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
///            [TemplatePart::Subject, TemplatePart::Html, TemplatePart::Text]);
/// ```
pub fn default_alarm_templates(kind: ChannelKind) -> Vec<(TemplatePart, &'static str)> {
    match kind {
        ChannelKind::Email => vec![
            (TemplatePart::Subject, EMAIL_SUBJECT),
            (TemplatePart::Html, EMAIL_HTML),
            (TemplatePart::Text, EMAIL_TEXT),
        ],
        ChannelKind::Sms => vec![(TemplatePart::Body, SMS_BODY)],
        ChannelKind::Slack => vec![(TemplatePart::Body, SLACK_BODY)],
        ChannelKind::Teams => vec![
            (TemplatePart::Title, TEAMS_TITLE),
            (TemplatePart::Body, TEAMS_BODY),
        ],
        ChannelKind::Webhook => vec![(TemplatePart::Body, WEBHOOK_BODY)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check_for, MessageKind};

    #[test]
    fn every_default_passes_the_synth_check_and_fits_its_kind() {
        for kind in [
            ChannelKind::Email,
            ChannelKind::Sms,
            ChannelKind::Slack,
            ChannelKind::Teams,
            ChannelKind::Webhook,
        ] {
            let parts = default_alarm_templates(kind);
            for (part, text) in &parts {
                assert_eq!(
                    check_for(MessageKind::Alarm, *part, text),
                    Ok(()),
                    "{kind} {part}"
                );
                assert!(
                    kind.required_parts().contains(part) || kind.optional_parts().contains(part),
                    "{kind} has no {part} part"
                );
            }
            for required in kind.required_parts() {
                assert!(
                    parts.iter().any(|(p, _)| p == required),
                    "{kind} needs {required}"
                );
            }
        }
    }
}
