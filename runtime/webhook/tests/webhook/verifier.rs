//! The verifier on its own: signatures, timestamps, rotation, tokens, limits.

use aws_lambda_events::http::HeaderMap;
use cloud_cron_contract::webhook::{
    HmacSettings, ReceiverSettings, SignedPayload, TokenSettings, Verification,
};
use cloud_cron_webhook::{hmac_hex, sign_hex, sign_timestamped, SecretSet, Verifier, VerifyError};

use crate::support::NOW;

const SECRET: &str = "whsec_5f1c0e9a2b";
const BODY: &[u8] = br#"{"id":"te_81","type":"time_entry.updated","data":{"hours":7.5}}"#;

fn stripe() -> Verifier {
    Verifier::new(&ReceiverSettings::new(Verification::Hmac(
        HmacSettings::timestamped("Stripe-Signature"),
    )))
}

fn github() -> Verifier {
    Verifier::new(&ReceiverSettings::new(Verification::Hmac(
        HmacSettings::hex("X-Signature"),
    )))
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            aws_lambda_events::http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
            value.parse().expect("value"),
        );
    }
    map
}

fn secrets(values: &[&str]) -> SecretSet {
    SecretSet::from_values(values.iter().copied()).expect("secrets")
}

#[test]
fn a_good_timestamped_signature_is_accepted() {
    let h = headers(&[(
        "stripe-signature",
        &sign_timestamped(SECRET, NOW - 10, BODY),
    )]);
    assert_eq!(stripe().verify(&h, BODY, &secrets(&[SECRET]), NOW), Ok(()));
}

#[test]
fn a_good_hex_signature_is_accepted() {
    let h = headers(&[("x-signature", &sign_hex(SECRET, BODY))]);
    assert_eq!(github().verify(&h, BODY, &secrets(&[SECRET]), NOW), Ok(()));
}

#[test]
fn a_known_vector_matches() {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    assert_eq!(
        hmac_hex("Jefe", None, b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn a_bad_signature_is_refused_with_401() {
    let other_body = br#"{"id":"te_81","type":"time_entry.deleted"}"#;
    for (verifier, h) in [
        (
            stripe(),
            headers(&[(
                "stripe-signature",
                &sign_timestamped(SECRET, NOW, other_body),
            )]),
        ),
        (
            stripe(),
            headers(&[(
                "stripe-signature",
                &sign_timestamped("whsec_wrong", NOW, BODY),
            )]),
        ),
        (
            github(),
            headers(&[("x-signature", &sign_hex("whsec_wrong", BODY))]),
        ),
    ] {
        let err = verifier
            .verify(&h, BODY, &secrets(&[SECRET]), NOW)
            .expect_err("refused");
        assert_eq!(
            err,
            VerifyError::BadSignature {
                header: err_header(&err)
            }
        );
        assert_eq!(err.status(), 401);
    }
}

fn err_header(err: &VerifyError) -> String {
    match err {
        VerifyError::BadSignature { header } => header.clone(),
        other => panic!("not a bad signature: {other:?}"),
    }
}

#[test]
fn the_timestamp_is_part_of_what_is_signed() {
    // A valid signature for t=NOW-1000 replayed with a fresh t is refused.
    let old = sign_timestamped(SECRET, NOW - 1000, BODY);
    let v1 = old.split_once(",v1=").expect("v1").1;
    let h = headers(&[("stripe-signature", &format!("t={NOW},v1={v1}"))]);
    let err = stripe()
        .verify(&h, BODY, &secrets(&[SECRET]), NOW)
        .expect_err("refused");
    assert!(matches!(err, VerifyError::BadSignature { .. }), "{err:?}");
}

#[test]
fn a_replayed_old_timestamp_is_refused() {
    let h = headers(&[(
        "stripe-signature",
        &sign_timestamped(SECRET, NOW - 301, BODY),
    )]);
    let err = stripe()
        .verify(&h, BODY, &secrets(&[SECRET]), NOW)
        .expect_err("stale");
    assert_eq!(
        err,
        VerifyError::StaleTimestamp {
            age_seconds: 301,
            tolerance_seconds: 300
        }
    );
    assert_eq!(err.status(), 401);
    // At the edge of the window it still passes.
    let h = headers(&[(
        "stripe-signature",
        &sign_timestamped(SECRET, NOW - 300, BODY),
    )]);
    assert_eq!(stripe().verify(&h, BODY, &secrets(&[SECRET]), NOW), Ok(()));
}

#[test]
fn a_future_timestamp_is_refused() {
    let h = headers(&[(
        "stripe-signature",
        &sign_timestamped(SECRET, NOW + 600, BODY),
    )]);
    let err = stripe()
        .verify(&h, BODY, &secrets(&[SECRET]), NOW)
        .expect_err("future");
    assert_eq!(
        err,
        VerifyError::FutureTimestamp {
            ahead_seconds: 600,
            tolerance_seconds: 300
        }
    );
    assert_eq!(err.status(), 401);
}

#[test]
fn the_tolerance_is_configurable() {
    let mut settings = HmacSettings::timestamped("Stripe-Signature");
    settings.tolerance_seconds = 30;
    let verifier = Verifier::new(&ReceiverSettings::new(Verification::Hmac(settings)));
    let h = headers(&[(
        "stripe-signature",
        &sign_timestamped(SECRET, NOW - 31, BODY),
    )]);
    assert!(matches!(
        verifier.verify(&h, BODY, &secrets(&[SECRET]), NOW),
        Err(VerifyError::StaleTimestamp {
            tolerance_seconds: 30,
            ..
        })
    ));
}

#[test]
fn a_missing_header_is_refused_with_401() {
    for (verifier, name) in [(stripe(), "Stripe-Signature"), (github(), "X-Signature")] {
        let err = verifier
            .verify(
                &headers(&[("x-other", "1")]),
                BODY,
                &secrets(&[SECRET]),
                NOW,
            )
            .expect_err("missing");
        assert_eq!(
            err,
            VerifyError::MissingHeader {
                header: name.into()
            }
        );
        assert_eq!(err.status(), 401);
    }
    let err = github()
        .verify(
            &headers(&[("x-signature", " ")]),
            BODY,
            &secrets(&[SECRET]),
            NOW,
        )
        .expect_err("blank");
    assert!(matches!(err, VerifyError::MissingHeader { .. }));
}

#[test]
fn a_malformed_header_is_refused_with_400_and_a_reason() {
    let good_hex = hmac_hex(SECRET, Some(NOW), BODY);
    let cases: [(Verifier, String, &str); 8] = [
        (stripe(), format!("v1={good_hex}"), "no `t=`"),
        (stripe(), format!("t={NOW}"), "no `v1=`"),
        (
            stripe(),
            format!("t=yesterday,v1={good_hex}"),
            "not a Unix time",
        ),
        (
            stripe(),
            format!("t={NOW},t={NOW},v1={good_hex}"),
            "more than one",
        ),
        (
            stripe(),
            format!("t={NOW},v1=zz{}", &good_hex[2..]),
            "not hex",
        ),
        (stripe(), format!("t={NOW},garbage"), "key=value"),
        (github(), good_hex.clone(), "prefix"),
        (
            github(),
            format!("sha256={}", &good_hex[..32]),
            "64 hex digits",
        ),
    ];
    for (verifier, value, reason) in cases {
        let name = if value.starts_with("t=") || value.starts_with("v1=") {
            "stripe-signature"
        } else {
            "x-signature"
        };
        let err = verifier
            .verify(&headers(&[(name, &value)]), BODY, &secrets(&[SECRET]), NOW)
            .expect_err("malformed");
        assert_eq!(err.status(), 400, "{value}: {err}");
        let text = err.to_string();
        assert!(text.contains(reason), "{value}: {text}");
        assert!(
            !text.contains(&good_hex[..16]),
            "the error shows the signature: {text}"
        );
    }
}

#[test]
fn several_v1_signatures_and_other_schemes_are_handled() {
    let good = hmac_hex(SECRET, Some(NOW), BODY);
    let value = format!("t={NOW},v0=abc,v1={},v1={good}", "0".repeat(64));
    let h = headers(&[("stripe-signature", &value)]);
    assert_eq!(stripe().verify(&h, BODY, &secrets(&[SECRET]), NOW), Ok(()));
}

#[test]
fn rotated_secrets_are_all_active() {
    let old = "whsec_old_1111";
    let new = "whsec_new_2222";
    let active = SecretSet::from_lines(&format!("{old}\n{new}\n")).expect("two secrets");
    assert_eq!(active.len(), 2);
    for secret in [old, new] {
        let h = headers(&[("stripe-signature", &sign_timestamped(secret, NOW, BODY))]);
        assert_eq!(stripe().verify(&h, BODY, &active, NOW), Ok(()), "{secret}");
    }
    // Once the old one is retired, its signatures fail.
    let h = headers(&[("stripe-signature", &sign_timestamped(old, NOW, BODY))]);
    assert!(matches!(
        stripe().verify(&h, BODY, &secrets(&[new]), NOW),
        Err(VerifyError::BadSignature { .. })
    ));
    assert!(!format!("{active:?}").contains("whsec"), "{active:?}");
}

#[test]
fn a_hex_signature_over_a_separate_timestamp_header() {
    let mut settings = HmacSettings::hex("X-Signature");
    settings.signed_payload = Some(SignedPayload::TimestampDotBody);
    settings.timestamp_header = Some("X-Timestamp".into());
    let verifier = Verifier::new(&ReceiverSettings::new(Verification::Hmac(settings)));
    let sig = format!("sha256={}", hmac_hex(SECRET, Some(NOW - 5), BODY));
    let ts = (NOW - 5).to_string();
    let h = headers(&[("x-signature", &sig), ("x-timestamp", &ts)]);
    assert_eq!(verifier.verify(&h, BODY, &secrets(&[SECRET]), NOW), Ok(()));
    // Stale through the separate header too.
    assert!(matches!(
        verifier.verify(&h, BODY, &secrets(&[SECRET]), NOW + 400),
        Err(VerifyError::StaleTimestamp { .. })
    ));
    let err = verifier
        .verify(
            &headers(&[("x-signature", &sig)]),
            BODY,
            &secrets(&[SECRET]),
            NOW,
        )
        .expect_err("no timestamp");
    assert_eq!(
        err,
        VerifyError::MissingHeader {
            header: "X-Timestamp".into()
        }
    );
}

#[test]
fn token_mode_compares_the_header_with_every_secret() {
    let verifier = Verifier::new(&ReceiverSettings::new(Verification::Token(TokenSettings {
        header: "X-Webhook-Token".into(),
    })));
    let active = secrets(&["tok_old", "tok_new"]);
    for token in ["tok_old", "tok_new"] {
        let h = headers(&[("x-webhook-token", token)]);
        assert_eq!(verifier.verify(&h, BODY, &active, NOW), Ok(()));
    }
    for wrong in ["tok_ol", "tok_new2", "TOK_NEW"] {
        let h = headers(&[("x-webhook-token", wrong)]);
        let err = verifier.verify(&h, BODY, &active, NOW).expect_err("wrong");
        assert_eq!(err.status(), 401);
        assert!(!err.to_string().contains(wrong), "{err}");
    }
    let err = verifier
        .verify(&headers(&[]), BODY, &active, NOW)
        .expect_err("missing");
    assert_eq!(
        err,
        VerifyError::MissingHeader {
            header: "X-Webhook-Token".into()
        }
    );
}

#[test]
fn an_oversized_body_is_refused_with_413_before_anything_else() {
    let mut settings = ReceiverSettings::new(Verification::Hmac(HmacSettings::timestamped(
        "Stripe-Signature",
    )));
    settings.max_body_bytes = 16;
    let verifier = Verifier::new(&settings);
    let err = verifier
        .verify(&headers(&[]), BODY, &secrets(&[SECRET]), NOW)
        .expect_err("too large");
    assert_eq!(
        err,
        VerifyError::BodyTooLarge {
            size: BODY.len(),
            limit: 16
        }
    );
    assert_eq!(err.status(), 413);
    let h = headers(&[(
        "stripe-signature",
        &sign_timestamped(SECRET, NOW, &BODY[..16]),
    )]);
    assert_eq!(
        verifier.verify(&h, &BODY[..16], &secrets(&[SECRET]), NOW),
        Ok(())
    );
}
