//! One-off schedules' resources, in template order: the dead-letter queue
//! and its alarm, the schedule group, the role the Scheduler assumes to
//! deliver, and the outputs.

use super::Inner;
use crate::constructs::grant::RolePolicy;
use crate::resources::{iam, scheduler};
use crate::template::{Output, Resource, Template};
use crate::value::{Pseudo, Value};

impl Inner {
    pub(super) fn emit(&self, template: &mut Template) {
        let path = self.node.path();
        let p = self.props.borrow();
        self.dead_letter.emit_queue(template);
        self.dead_letter.emit_alarm(template);

        let group_id = self.group_id();
        template.add_resource(
            &group_id,
            Resource::new(scheduler::ScheduleGroup {
                name: p.group_name.clone().map(Value::from),
            }),
        );

        let deliver = RolePolicy::new();
        self.target.grant_deliver(&deliver);
        self.dead_letter.grant_send(&deliver);
        template.add_resource(
            self.role_id(),
            Resource::new(iam::Role {
                // Only schedules of this group, in this account, may use the role.
                assume_role_policy_document: iam::PolicyDocument::new(vec![
                    iam::Statement::assume_by_service("scheduler.amazonaws.com")
                        .when(
                            "StringEquals",
                            "aws:SourceAccount",
                            Pseudo::AccountId.into(),
                        )
                        .when("ArnEquals", "aws:SourceArn", self.group_arn()),
                ]),
                description: Some(format!(
                    "Role EventBridge Scheduler assumes to deliver the one-off schedules of {path}"
                )),
                policies: vec![iam::Policy {
                    policy_name: "deliver".into(),
                    policy_document: iam::PolicyDocument::new(deliver.statements()),
                }],
                role_name: None,
            }),
        );

        template.add_output(
            format!("{group_id}Name"),
            Output::new(
                Value::reference(&group_id),
                format!("Schedule group of the one-off schedules of {path}"),
            ),
        );
        let dlq_id = self.dead_letter.queue_id();
        template.add_output(
            format!("{dlq_id}Url"),
            Output::new(
                self.dead_letter.url(),
                format!(
                    "Dead-letter queue of {path}: one-off schedules that could not be delivered"
                ),
            ),
        );
    }
}
