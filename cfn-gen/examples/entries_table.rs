//! A DynamoDB `Table` of the application's own, a function that reads and
//! writes it, and one that reads its change stream. Run with
//! `cargo run -p cfn-gen --example entries_table`; it prints the template.
//! The marked region is the README's `Table` example
//! (`cfn-gen/tests/table.rs` keeps them in step).

use cfn_gen::{App, AttributeType, Function, GlobalIndex, Projection, Stack, StreamView, Table};

fn main() {
    let app = App::new();
    let stack = Stack::new(&app, "Journal");

    // README:table
    let entries = Table::new(&stack, "Entries")
        .partition_key("pk", AttributeType::String)
        .sort_key("sk", AttributeType::String)
        .ttl("expiresAt") // epoch seconds; expired items are deleted
        .global_index(
            GlobalIndex::new("byUser")
                .partition_key("userId", AttributeType::String)
                .sort_key("createdAt", AttributeType::Number)
                .projection(Projection::Include(vec!["title".into()])),
        )
        .stream(StreamView::NewAndOldImages);
    let api =
        Function::new(&stack, "Api").image("123456789012.dkr.ecr.us-west-2.amazonaws.com/api:v1");
    api.add_environment("TABLE_ENTRIES", entries.name()); // a Ref, resolved at deploy
    entries.grant_read_write(&api); // the table and its indexes, exactly
    let audit = Function::new(&stack, "Audit")
        .image("123456789012.dkr.ecr.us-west-2.amazonaws.com/audit:v1");
    // stream records need .stream(..): checked at synth
    entries.grant_stream_read(&audit);
    // README:end

    match app.synth() {
        Ok(synthesis) => print!("{}", synthesis.stacks[0].text),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
