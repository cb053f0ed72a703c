//! A Fargate job's resources, in template order: the dead-letter queue, its
//! alarm and the policy letting the failed-task rule send to it; the
//! cluster, log group, roles and task definition; the rule and its
//! delivery alarm; the Scheduler's role and the schedule; the outputs.

use std::collections::BTreeMap;
use std::time::Duration;

use cloud_cron_contract as contract;
use cloud_cron_contract::ecr::EcrImage;
use cloud_cron_contract::notifier::SecretRef;
use serde_json::json;

use super::{Inner, JobSecret, Props};
use crate::constructs::alarms;
use crate::constructs::code::{Architecture, ImageSource};
use crate::constructs::grant::{ssm_parameter_arn, Grantee, RolePolicy};
use crate::constructs::image_republish::{grant_ecr_access, PULL};
use crate::resources::{cloudwatch, ecs, events, iam, logs, scheduler, sqs};
use crate::template::{DeletionPolicy, Output, Resource, Template};
use crate::value::{Pseudo, Value};

/// The container's name in the task definition.
pub(super) const CONTAINER: &str = "job";

/// The ARN of an SSM parameter or Secrets Manager secret, as ECS's
/// `ValueFrom` and IAM want it.
fn secret_arn(reference: &SecretRef) -> Value {
    match reference {
        SecretRef::Ssm { name } => ssm_parameter_arn(name),
        SecretRef::SecretsManager { id } if id.starts_with("arn:") => Value::String(id.clone()),
        // A partial ARN (no random suffix): ECS and Secrets Manager accept it.
        SecretRef::SecretsManager { id } => Value::sub(format!(
            "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{id}"
        )),
    }
}

/// What IAM matches a Secrets Manager secret by: its ARN with the suffix.
fn secret_grant_arn(reference: &SecretRef) -> Value {
    match reference {
        SecretRef::SecretsManager { id } if !id.starts_with("arn:") => Value::sub(format!(
            "arn:${{AWS::Partition}}:secretsmanager:${{AWS::Region}}:${{AWS::AccountId}}:secret:{id}-??????"
        )),
        other => secret_arn(other),
    }
}

fn secs(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

impl Inner {
    fn id(&self, child: &str) -> String {
        self.node.child_logical_id(child)
    }

    /// The task definition family: `<stack name>-<logical id>`.
    pub(super) fn family(&self) -> Value {
        Value::sub(format!("${{AWS::StackName}}-{}", self.id("TaskDefinition")))
    }

    /// The cluster's ARN: the given one or the job's own.
    fn cluster_arn(&self, p: &Props) -> Value {
        p.cluster_arn
            .clone()
            .unwrap_or_else(|| Value::get_att(self.id("Cluster"), "Arn"))
    }

    /// The image and the repository to pull from.
    fn image(p: &Props) -> Option<(Value, Value)> {
        match p.image.as_ref()? {
            ImageSource::Uri(uri) => {
                let image = EcrImage::parse(uri).ok()?;
                Some((
                    Value::String(uri.clone()),
                    Value::String(image.repository_arn()),
                ))
            }
            ImageSource::Republished(r) => Some((r.image_uri.clone(), r.repository_arn.clone())),
            ImageSource::Build(_) => None,
        }
    }

    /// What ECS does for the task: pull the image, write the logs, read
    /// the secrets.
    pub(super) fn execution_policy(&self) -> RolePolicy {
        let p = self.props.borrow();
        let policy = RolePolicy::new();
        if let Some((_, repository)) = Inner::image(&p) {
            grant_ecr_access(&repository, &PULL, &policy);
        }
        policy.add_to_role_policy(iam::Statement::allow(
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            vec![Value::get_att(self.id("LogGroup"), "Arn")],
        ));
        for JobSecret {
            reference,
            kms_key_arn,
            ..
        } in &p.secrets
        {
            let action = match reference {
                SecretRef::Ssm { .. } => "ssm:GetParameters",
                SecretRef::SecretsManager { .. } => "secretsmanager:GetSecretValue",
            };
            policy.add_to_role_policy(iam::Statement::allow(
                [action],
                vec![secret_grant_arn(reference)],
            ));
            if let Some(key) = kms_key_arn {
                policy.add_to_role_policy(iam::Statement::allow(
                    ["kms:Decrypt"],
                    vec![Value::String(key.clone())],
                ));
            }
        }
        policy
    }

    /// What the job's code may do: publish to its topics, and its grants.
    pub(super) fn task_policy(&self) -> RolePolicy {
        let p = self.props.borrow();
        let policy = RolePolicy::new();
        for (_, topic) in &p.publishes {
            topic.grant_publish(&policy);
        }
        for statement in &p.grants {
            policy.add_to_role_policy(statement.clone());
        }
        policy
    }

    fn role(&self, description: String, statements: Vec<iam::Statement>) -> Resource {
        let policies = if statements.is_empty() {
            Vec::new()
        } else {
            vec![iam::Policy {
                policy_name: "run".into(),
                policy_document: iam::PolicyDocument::new(statements),
            }]
        };
        Resource::new(iam::Role {
            assume_role_policy_document: iam::PolicyDocument::new(vec![
                iam::Statement::assume_by_service("ecs-tasks.amazonaws.com").when(
                    "StringEquals",
                    "aws:SourceAccount",
                    Pseudo::AccountId.into(),
                ),
            ]),
            description: Some(description),
            policies,
            role_name: None,
        })
    }

    pub(super) fn emit(&self, template: &mut Template) {
        let path = self.node.path();
        let execution = self.execution_policy().statements();
        let task = self.task_policy().statements();
        let p = self.props.borrow();
        let dlq_arn = self.dead_letter.arn();
        let rule_id = self.id("FailedTaskRule");

        self.dead_letter.emit_queue(template);
        self.dead_letter.emit_alarm(template);
        template.add_resource(
            self.id("DeadLetterQueuePolicy"),
            Resource::new(sqs::QueuePolicy {
                queues: vec![self.dead_letter.url()],
                policy_document: iam::PolicyDocument::new(vec![iam::Statement::allow(
                    ["sqs:SendMessage"],
                    vec![dlq_arn.clone()],
                )
                .principal_service("events.amazonaws.com")
                .when(
                    "ArnEquals",
                    "aws:SourceArn",
                    Value::get_att(&rule_id, "Arn"),
                )]),
            }),
        );

        if p.cluster_arn.is_none() {
            template.add_resource(
                self.id("Cluster"),
                Resource::new(ecs::Cluster {
                    cluster_settings: vec![ecs::ClusterSetting {
                        name: "containerInsights",
                        value: "enabled",
                    }],
                }),
            );
        }
        let log_group = self.id("LogGroup");
        template.add_resource(
            &log_group,
            Resource::new(logs::LogGroup {
                retention_in_days: Some(p.log_retention_days),
                ..Default::default()
            })
            .deletion_policy(DeletionPolicy::Retain)
            .update_replace_policy(DeletionPolicy::Retain)
            .skip_check(
                "CKV_AWS_158",
                "CloudWatch Logs encrypts log data at rest with its own keys; a customer managed key would need a key policy for the logs service and adds cost without protecting more here",
            ),
        );
        let execution_role = self.id("ExecutionRole");
        let task_role = self.id("TaskRole");
        template.add_resource(
            &execution_role,
            self.role(
                format!("Role ECS uses to start {path}: pull its image, write its logs, read its secrets"),
                execution,
            ),
        );
        template.add_resource(
            &task_role,
            self.role(format!("Role the task of {path} runs with"), task),
        );

        let mut environment: Vec<ecs::KeyValue> = p
            .env
            .iter()
            .map(|(name, value)| ecs::KeyValue {
                name: name.clone(),
                value: Value::String(value.clone()),
            })
            .collect();
        environment.extend(p.publishes.iter().filter_map(|(key, topic)| {
            contract::topic_env_var(key).ok().map(|name| ecs::KeyValue {
                name,
                value: topic.arn(),
            })
        }));
        environment.sort_by(|a, b| a.name.cmp(&b.name));
        let mut secrets: Vec<ecs::Secret> = p
            .secrets
            .iter()
            .map(|s| ecs::Secret {
                name: s.name.clone(),
                value_from: secret_arn(&s.reference),
            })
            .collect();
        secrets.sort_by(|a, b| a.name.cmp(&b.name));
        let options: BTreeMap<String, Value> = [
            ("awslogs-group", Value::reference(&log_group)),
            ("awslogs-region", Pseudo::Region.into()),
            ("awslogs-stream-prefix", Value::from(CONTAINER)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let image = Inner::image(&p).map_or(Value::from(""), |(image, _)| image);
        let task_definition = self.id("TaskDefinition");
        template.add_resource(
            &task_definition,
            Resource::new(ecs::TaskDefinition {
                family: self.family(),
                cpu: p.cpu.to_string(),
                memory: p.memory_mib.to_string(),
                network_mode: "awsvpc",
                requires_compatibilities: vec!["FARGATE"],
                execution_role_arn: Value::get_att(&execution_role, "Arn"),
                task_role_arn: Value::get_att(&task_role, "Arn"),
                runtime_platform: ecs::RuntimePlatform {
                    cpu_architecture: match p.architecture {
                        Architecture::Arm64 => "ARM64",
                        _ => "X86_64",
                    },
                    operating_system_family: "LINUX",
                },
                container_definitions: vec![ecs::ContainerDefinition {
                    name: CONTAINER.into(),
                    image,
                    essential: true,
                    command: p.command.clone(),
                    environment,
                    secrets,
                    log_configuration: ecs::LogConfiguration {
                        log_driver: "awslogs",
                        options,
                    },
                    readonly_root_filesystem: true,
                    privileged: false,
                }],
            }),
        );

        let cluster_arn = self.cluster_arn(&p);
        let family_prefix = Value::sub(format!(
            "arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task-definition/${{AWS::StackName}}-{task_definition}:"
        ));
        template.add_resource(
            &rule_id,
            Resource::new(events::Rule {
                description: format!(
                    "A task of {path} failed: its stop event goes to the dead-letter queue"
                ),
                event_pattern: json_value(
                    json!({
                        "source": ["aws.ecs"],
                        "detail-type": ["ECS Task State Change"],
                        "detail": {
                            "lastStatus": ["STOPPED"],
                            "$or": [
                                {"containers": {"exitCode": [{"anything-but": 0}]}},
                                {"stopCode": ["TaskFailedToStart"]}
                            ]
                        }
                    }),
                    &cluster_arn,
                    &family_prefix,
                ),
                state: "ENABLED",
                targets: vec![events::Target {
                    id: "DeadLetterQueue".into(),
                    arn: dlq_arn.clone(),
                }],
            }),
        );
        let target = alarms::resolve(&self.node, self.dead_letter.alarm_topic().as_ref());
        let mut delivery = cloudwatch::Alarm {
            alarm_description: Some(format!(
                "{path}: the failed-task rule could not deliver a stop event to the dead-letter queue"
            )),
            namespace: "AWS/Events".into(),
            metric_name: "FailedInvocations".into(),
            dimensions: vec![cloudwatch::Dimension {
                name: "RuleName".into(),
                value: Value::reference(&rule_id),
            }],
            statistic: "Sum".into(),
            period: 300,
            evaluation_periods: 1,
            threshold: 0.0,
            comparison_operator: "GreaterThanThreshold".into(),
            treat_missing_data: Some("notBreaching".into()),
            ..Default::default()
        };
        alarms::route(&mut delivery, target.as_ref());
        template.add_resource(self.id("FailedTaskRuleAlarm"), Resource::new(delivery));

        let schedule_role = self.id("ScheduleRole");
        let run = RolePolicy::new();
        run.add_to_role_policy(
            iam::Statement::allow(
                ["ecs:RunTask"],
                vec![Value::sub(format!(
                    "arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task-definition/${{AWS::StackName}}-{task_definition}:*"
                ))],
            )
            .when("ArnEquals", "ecs:cluster", cluster_arn.clone()),
        );
        run.add_to_role_policy(
            iam::Statement::allow(
                ["iam:PassRole"],
                vec![
                    Value::get_att(&execution_role, "Arn"),
                    Value::get_att(&task_role, "Arn"),
                ],
            )
            .when(
                "StringEquals",
                "iam:PassedToService",
                Value::from("ecs-tasks.amazonaws.com"),
            ),
        );
        self.dead_letter.grant_send(&run);
        template.add_resource(
            &schedule_role,
            Resource::new(iam::Role {
                assume_role_policy_document: iam::PolicyDocument::new(vec![
                    iam::Statement::assume_by_service("scheduler.amazonaws.com").when(
                        "StringEquals",
                        "aws:SourceAccount",
                        Pseudo::AccountId.into(),
                    ),
                ]),
                description: Some(format!(
                    "Role EventBridge Scheduler assumes to start {path}"
                )),
                policies: vec![iam::Policy {
                    policy_name: "run-task".into(),
                    policy_document: iam::PolicyDocument::new(run.statements()),
                }],
                role_name: None,
            }),
        );

        let (expression, time_zone) = match &p.schedule {
            Some(s) => (s.expression(), s.time_zone().unwrap_or("UTC").to_owned()),
            None => (String::new(), "UTC".to_owned()),
        };
        let (subnets, security_groups) = match &p.vpc {
            Some(v) => (v.subnets.value(), v.security_groups.value()),
            None => (Value::List(Vec::new()), Value::List(Vec::new())),
        };
        template.add_resource(
            self.id("Schedule"),
            Resource::new(scheduler::Schedule {
                name: None,
                group_name: Some(self.group.name()),
                kms_key_arn: None,
                description: Some(
                    p.description
                        .clone()
                        .unwrap_or_else(|| format!("Starts {path}")),
                ),
                schedule_expression: expression,
                schedule_expression_timezone: Some(time_zone),
                start_date: None,
                end_date: None,
                flexible_time_window: scheduler::FlexibleTimeWindow {
                    mode: "OFF",
                    maximum_window_in_minutes: None,
                },
                state: if p.enabled { "ENABLED" } else { "DISABLED" },
                target: scheduler::Target {
                    arn: cluster_arn,
                    role_arn: Value::get_att(&schedule_role, "Arn"),
                    input: None,
                    retry_policy: Some(scheduler::RetryPolicy {
                        maximum_event_age_in_seconds: secs(p.max_event_age),
                        maximum_retry_attempts: p.retry_attempts,
                    }),
                    dead_letter_config: Some(scheduler::DeadLetterConfig { arn: dlq_arn }),
                    ecs_parameters: Some(scheduler::EcsParameters {
                        task_definition_arn: Value::reference(&task_definition),
                        launch_type: "FARGATE",
                        platform_version: "LATEST",
                        task_count: 1,
                        network_configuration: scheduler::NetworkConfiguration {
                            awsvpc_configuration: scheduler::AwsvpcConfiguration {
                                subnets,
                                security_groups,
                                assign_public_ip: if p.assign_public_ip {
                                    "ENABLED"
                                } else {
                                    "DISABLED"
                                },
                            },
                        },
                    }),
                },
            })
            .metadata("cloudCron", json!({ "path": path })),
        );

        template.add_output(
            format!("{task_definition}Arn"),
            Output::new(
                Value::reference(&task_definition),
                format!("Task definition of {path}"),
            ),
        );
        let dlq_id = self.dead_letter.queue_id();
        template.add_output(
            format!("{dlq_id}Url"),
            Output::new(
                self.dead_letter.url(),
                format!("Dead-letter queue of {path}: runs that failed or could not start"),
            ),
        );
    }
}

/// The failed-task pattern as a template value, scoped to the cluster and
/// the task definition family.
fn json_value(pattern: serde_json::Value, cluster_arn: &Value, family_prefix: &Value) -> Value {
    let mut value = from_json(pattern);
    if let Value::Map(top) = &mut value {
        if let Some(Value::Map(detail)) = top.get_mut("detail") {
            detail.insert("clusterArn".into(), Value::List(vec![cluster_arn.clone()]));
            let mut prefix = BTreeMap::new();
            prefix.insert("prefix".to_owned(), family_prefix.clone());
            detail.insert(
                "taskDefinitionArn".into(),
                Value::List(vec![Value::Map(prefix)]),
            );
        }
    }
    value
}

fn from_json(json: serde_json::Value) -> Value {
    match json {
        serde_json::Value::String(s) => Value::String(s),
        serde_json::Value::Number(n) => Value::Int(n.as_i64().unwrap_or_default()),
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Array(items) => Value::List(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            Value::Map(map.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
        serde_json::Value::Null => Value::Pseudo(Pseudo::NoValue),
    }
}
