//! An idempotency table in moto shaped as the stacks declare it (feature
//! `idempotency`): the contract's string hash key, on demand, TTL on the
//! contract's expiry attribute. The runtime's guard, the notifiers' durable
//! dedup, the example task and the ERP job's tests each start from one.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use aws_sdk_dynamodb::Client;
use cloud_cron_contract::{IDEMPOTENCY_KEY_ATTRIBUTE, IDEMPOTENCY_TTL_ATTRIBUTE};

/// Creates the table `name` in the moto `sdk` points at and returns the
/// client that created it; panics if moto refuses.
///
/// ```no_run
/// # async fn example() {
/// let sdk = cloud_cron_test_support::sdk_config(&cloud_cron_test_support::moto_endpoint()).await;
/// let dynamodb = cloud_cron_test_support::idempotency::idempotency_table(&sdk, "runs").await;
/// let _ = dynamodb.describe_table().table_name("runs").send().await;
/// # }
/// ```
pub async fn idempotency_table(sdk: &SdkConfig, name: &str) -> Client {
    let client = Client::new(sdk);
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(IDEMPOTENCY_KEY_ATTRIBUTE)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("valid attribute definition"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(IDEMPOTENCY_KEY_ATTRIBUTE)
                .key_type(KeyType::Hash)
                .build()
                .expect("valid key schema"),
        )
        .send()
        .await
        .expect("CreateTable on moto");
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(IDEMPOTENCY_TTL_ATTRIBUTE)
                .enabled(true)
                .build()
                .expect("valid TTL specification"),
        )
        .send()
        .await
        .expect("UpdateTimeToLive on moto");
    client
}
