//! Synth checks a channel's templates against the notifier's template
//! context: a variable outside it fails synth with the construct path, the
//! template (file or inline part) and line, and a fix listing the variables.

use cfn_gen::{App, MessageTemplate, NotificationChannel, Problem, Stack, Topic};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/notifier@sha256:3b5f1c4e9a7d2b8c6e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

fn app_with(html: MessageTemplate, text: &str) -> App {
    let app = App::new();
    let stack = Stack::new(&app, "Notify");
    let topic = Topic::fifo(&stack, "Alerts");
    NotificationChannel::email(&stack, "Mail", &topic)
        .image(IMAGE)
        .from("me@example.com")
        .to(["alice@example.com"])
        .subject("[{{ task }}] {{ payload.title }}")
        .text(text)
        .html(html);
    app
}

fn errors(app: &App) -> Vec<Problem> {
    match app.synth() {
        Ok(_) => Vec::new(),
        Err(e) => e.errors().cloned().collect(),
    }
}

#[test]
fn an_unknown_variable_in_a_file_names_the_file_line_and_variables() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("alert.html.j2");
    std::fs::write(
        &file,
        "<h1>{{ task }}</h1>\n{% set note = payload.note %}\n<p>{{ note }} {{ user.name }}</p>\n",
    )
    .expect("write");
    let errs = errors(&app_with(
        MessageTemplate::file(&file),
        "{{ payload.text }}",
    ));
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let e = &errs[0];
    assert_eq!(e.path, "Notify/Mail");
    assert_eq!(
        e.message,
        format!(
            "the html template ({}) uses the variable `user` at line 3, which is not one the notifier provides",
            file.display()
        )
    );
    assert!(
        e.fix
            .contains("payload, task, topic, id, scheduled_time, schedule_arn, ordinal"),
        "{}",
        e.fix
    );
    assert!(e.fix.contains("`payload.user`"), "{}", e.fix);

    // The fix works.
    std::fs::write(
        &file,
        "<h1>{{ task }}</h1>\n<p>{{ payload.user.name }}</p>\n",
    )
    .expect("write");
    assert!(errors(&app_with(
        MessageTemplate::file(&file),
        "{{ payload.text }}"
    ))
    .is_empty());
}

#[test]
fn an_unknown_variable_inline_names_the_part_and_every_variable() {
    let errs = errors(&app_with(
        MessageTemplate::inline("<p>{{ payload.text }}</p>"),
        "{{ level }}:\n{% for row in payload.rows %}{{ row }} {{ loop.index }}{% endfor %}\n{{ host }}",
    ));
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(
        errs[0].message,
        "the text template (given inline) uses the variables `level` at line 1, `host` at line 3, which are not ones the notifier provides"
    );
    assert!(errs[0].fix.contains("`payload.level`"), "{}", errs[0].fix);
}

#[test]
fn every_context_variable_and_template_binding_passes() {
    let text = "{{ payload.text }} {{ task }} {{ topic }} {{ id }} {{ scheduled_time }} \
                {{ schedule_arn }} {{ ordinal }}\n\
                {% set total = payload.rows | length %}{{ total }}\n\
                {% macro cell(v) %}[{{ v }}]{% endmacro %}\
                {% for r in payload.rows %}{{ cell(r) }}{% endfor %}";
    assert_eq!(
        errors(&app_with(
            MessageTemplate::inline("<p>{{ task }}</p>"),
            text
        )),
        Vec::new()
    );
}
