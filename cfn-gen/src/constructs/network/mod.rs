//! Private networking shared by the constructs that run in a VPC: the ids a
//! placement names ([`NetworkIds`]), a placement and its synth-time checks
//! ([`VpcPlacement`]), the AWS services a workload calls and the endpoints
//! that reach them ([`services`]), and the [`VpcEndpoints`] construct.

mod endpoints;
mod ids;
mod placement;
mod services;

pub(crate) use endpoints::VpcUser;
pub use endpoints::{VpcClient, VpcEndpoints};
pub use ids::NetworkIds;
pub(crate) use placement::{services_warning, VpcPlacement};
pub use services::EndpointService;
