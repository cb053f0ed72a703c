//! `file:` sources, on files in a temporary directory.

use std::path::Path;

use cloud_cron_notifiers::template_source::{TemplateError, TemplateLoader, TemplateSource};

fn loader() -> TemplateLoader {
    TemplateLoader::from_sdk_config(&aws_config::SdkConfig::builder().build())
}

fn file_source(path: &Path) -> TemplateSource {
    format!("file:{}", path.display())
        .parse()
        .expect("a valid file: source")
}

#[tokio::test]
async fn existing_file_is_loaded_and_cached() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.j2");
    std::fs::write(&path, "Report for {{ day }} ✓\n").unwrap();
    let loader = loader();
    let source = file_source(&path);
    assert_eq!(
        &*loader.load(&source).await.unwrap(),
        "Report for {{ day }} ✓\n"
    );

    // Served from the cache: a change on disk is not seen by this loader.
    std::fs::write(&path, "changed").unwrap();
    assert_eq!(
        &*loader.load(&source).await.unwrap(),
        "Report for {{ day }} ✓\n"
    );
    assert_eq!(&*self::loader().load(&source).await.unwrap(), "changed");

    // `file:///abs/path` names the same file.
    let url_form: TemplateSource = format!("file://{}", path.display()).parse().unwrap();
    assert_eq!(url_form, source);
}

#[tokio::test]
async fn missing_file_is_a_permanent_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.j2");
    let loader = loader();
    let source = file_source(&path);
    let err = loader.load(&source).await.unwrap_err();
    assert!(matches!(err, TemplateError::FileNotFound { .. }), "{err:?}");
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(text.contains(&format!("file:{}", path.display())), "{text}");
    assert!(text.contains("bundle the template"), "{text}");

    // Not cached: once the file exists, it loads.
    std::fs::write(&path, "late").unwrap();
    assert_eq!(&*loader.load(&source).await.unwrap(), "late");
}

#[tokio::test]
async fn directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = loader().load(&file_source(dir.path())).await.unwrap_err();
    assert!(matches!(err, TemplateError::FileRead { .. }), "{err:?}");
    assert!(!err.is_transient());
    assert!(err.to_string().contains("directory"), "{err}");
}

#[tokio::test]
async fn file_over_the_size_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.j2");
    std::fs::write(&path, vec![b'x'; 2048]).unwrap();
    let source = file_source(&path);
    let small = loader().with_limits(TemplateLoader::DEFAULT_TIMEOUT, 2047);
    let err = small.load(&source).await.unwrap_err();
    assert!(
        matches!(
            err,
            TemplateError::TooLarge {
                limit: 2047,
                size: Some(2048),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_transient());
    let exact = loader().with_limits(TemplateLoader::DEFAULT_TIMEOUT, 2048);
    assert_eq!(exact.load(&source).await.unwrap().len(), 2048);
}

#[tokio::test]
async fn file_that_is_not_utf8_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.j2");
    std::fs::write(&path, b"caf\xe9").unwrap();
    let err = loader().load(&file_source(&path)).await.unwrap_err();
    assert!(
        matches!(err, TemplateError::NotUtf8 { valid_up_to: 3, .. }),
        "{err:?}"
    );
    assert!(!err.is_transient());
    assert!(err.to_string().contains("save it as UTF-8"), "{err}");
}
