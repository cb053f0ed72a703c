//! Typed property structs for every resource type the constructs emit.
//!
//! Each struct serializes in PascalCase with unset fields left out, and names
//! its CloudFormation type through [`ResourceProperties`](crate::ResourceProperties).
//! For any other type use [`Resource::raw`](crate::Resource::raw).

pub mod apigatewayv2;
pub mod cloudwatch;
pub mod dynamodb;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod events;
pub mod iam;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod scheduler;
pub mod serverless;
pub mod sns;
pub mod sqs;
pub mod ssm;

macro_rules! resource_type {
    ($ty:ty, $name:literal) => {
        impl $crate::template::ResourceProperties for $ty {
            const TYPE: &'static str = $name;
        }
    };
}
pub(crate) use resource_type;
