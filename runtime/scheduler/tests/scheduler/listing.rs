//! Listing across pages, and per tenant.

use std::collections::BTreeSet;

use cloud_cron_scheduler::name::schedule_name;
use cloud_cron_scheduler::ListScope;
use futures_util::{stream, StreamExt, TryStreamExt};

use crate::support::{local, moto_scheduler};

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn listing_follows_next_token_over_several_pages() {
    let (scheduler, _, _) = moto_scheduler("paging").await;
    let keys: Vec<String> = (0..120).map(|i| format!("tenant-a/item-{i}")).collect();
    stream::iter(keys.iter())
        .map(|key| {
            let scheduler = &scheduler;
            async move {
                scheduler
                    .schedule_once(key, local(2031, 1, 1, 0, 0), "UTC", key)
                    .await
            }
        })
        .buffer_unordered(8)
        .try_collect::<Vec<_>>()
        .await
        .expect("all created");

    let first = scheduler
        .list_page(ListScope::All, None)
        .await
        .expect("first page");
    assert_eq!(first.schedules.len(), 100, "a page holds 100");
    assert!(first.next_token.is_some(), "120 schedules take two pages");

    let listed: BTreeSet<String> = scheduler
        .list(ListScope::All)
        .map_ok(|s| s.name)
        .try_collect()
        .await
        .expect("listed");
    let expected: BTreeSet<String> = keys.iter().map(|k| schedule_name(k)).collect();
    assert_eq!(listed, expected);
}

#[tokio::test]
#[ignore = "needs moto: run with scripts/test"]
async fn listing_a_tenant_returns_only_its_schedules() {
    let (scheduler, _, _) = moto_scheduler("tenants").await;
    // "acme" is a prefix of "acme-2": names must still keep them apart.
    let keys = [
        "acme/a",
        "acme/b",
        "acme-2/a",
        "Acme Corp/a",
        "acme.corp/a",
        "no-tenant",
    ];
    for key in keys {
        scheduler
            .schedule_once(key, local(2031, 1, 1, 0, 0), "UTC", &key)
            .await
            .expect("created");
    }
    let names_of = |tenant_keys: &[&str]| -> BTreeSet<String> {
        tenant_keys.iter().map(|k| schedule_name(k)).collect()
    };
    for (scope, expected) in [
        (ListScope::Tenant("acme"), names_of(&["acme/a", "acme/b"])),
        (ListScope::Tenant("acme-2"), names_of(&["acme-2/a"])),
        (ListScope::Tenant("Acme Corp"), names_of(&["Acme Corp/a"])),
        (ListScope::Tenant("acme.corp"), names_of(&["acme.corp/a"])),
        (ListScope::Tenant("nobody"), BTreeSet::new()),
        (ListScope::NoTenant, names_of(&["no-tenant"])),
    ] {
        let listed: BTreeSet<String> = scheduler
            .list(scope)
            .map_ok(|s| s.name)
            .try_collect()
            .await
            .expect("listed");
        assert_eq!(listed, expected, "{scope:?}");
    }
}
