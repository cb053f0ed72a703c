//! `env:` sources. The test sets process environment variables, so it holds
//! [`lock_env`](crate::lock_env) throughout.

use cloud_cron_notifiers::template_source::{TemplateError, TemplateLoader, TemplateSource};

fn loader() -> TemplateLoader {
    TemplateLoader::from_sdk_config(&aws_config::SdkConfig::builder().build())
}

#[test]
fn env_sources() {
    let _env = crate::lock_env();
    std::env::set_var("CLOUDCRON_TEST_TEMPLATE", "Hello {{ name }}! ✓");
    std::env::set_var("CLOUDCRON_TEST_BIG_TEMPLATE", "x".repeat(100));
    std::env::set_var("CLOUDCRON_TEST_EMPTY_TEMPLATE", "");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let latin1 = std::ffi::OsString::from_vec(b"caf\xe9".to_vec());
        std::env::set_var("CLOUDCRON_TEST_LATIN1_TEMPLATE", latin1);
    }
    std::env::remove_var("CLOUDCRON_TEST_UNSET_TEMPLATE");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let loader = loader();

        // Success, then served from the cache even after the variable changes.
        let source: TemplateSource = "env:CLOUDCRON_TEST_TEMPLATE".parse().unwrap();
        assert_eq!(&*loader.load(&source).await.unwrap(), "Hello {{ name }}! ✓");
        std::env::set_var("CLOUDCRON_TEST_TEMPLATE", "changed");
        assert_eq!(&*loader.load(&source).await.unwrap(), "Hello {{ name }}! ✓");
        assert_eq!(&*self::loader().load(&source).await.unwrap(), "changed");

        // An empty value is a (valid, empty) template.
        let empty = "env:CLOUDCRON_TEST_EMPTY_TEMPLATE".parse().unwrap();
        assert_eq!(&*loader.load(&empty).await.unwrap(), "");

        // Missing: permanent, names the variable and says what to do.
        let missing = "env:CLOUDCRON_TEST_UNSET_TEMPLATE".parse().unwrap();
        let err = loader.load(&missing).await.unwrap_err();
        assert!(matches!(&err, TemplateError::EnvVarMissing { var, .. } if var == "CLOUDCRON_TEST_UNSET_TEMPLATE"), "{err:?}");
        assert!(!err.is_transient());
        let text = err.to_string();
        assert!(text.contains("`env:CLOUDCRON_TEST_UNSET_TEMPLATE`") && text.contains("is not set"), "{text}");

        // Failures are not cached: set it, and the next load succeeds.
        std::env::set_var("CLOUDCRON_TEST_UNSET_TEMPLATE", "now set");
        assert_eq!(&*loader.load(&missing).await.unwrap(), "now set");

        // Over the size limit.
        let small = self::loader().with_limits(TemplateLoader::DEFAULT_TIMEOUT, 99);
        let big = "env:CLOUDCRON_TEST_BIG_TEMPLATE".parse().unwrap();
        let err = small.load(&big).await.unwrap_err();
        assert!(matches!(err, TemplateError::TooLarge { limit: 99, size: Some(100), .. }), "{err:?}");
        assert!(!err.is_transient());
        let roomy = self::loader().with_limits(TemplateLoader::DEFAULT_TIMEOUT, 100);
        assert_eq!(roomy.load(&big).await.unwrap().len(), 100);

        // Not UTF-8.
        #[cfg(unix)]
        {
            let latin1 = "env:CLOUDCRON_TEST_LATIN1_TEMPLATE".parse().unwrap();
            let err = loader.load(&latin1).await.unwrap_err();
            assert!(matches!(err, TemplateError::NotUtf8 { valid_up_to: 3, .. }), "{err:?}");
            assert!(!err.is_transient());
        }
    });
}
