//! The `image-copier` Lambda: CloudFormation custom-resource requests in, images copied
//! into the stack's ECR repository, exactly one answer to the `ResponseURL` out
//! (see [`cloud_cron_image_copier::bin`]).
//!
//! Built for `provided.al2023` by `sam build` (`BuildMethod: rust-cargolambda`).

fn main() -> Result<(), cloud_cron_image_copier::bin::Error> {
    cloud_cron_image_copier::bin::main()
}
