//! Shapes of the addresses channels deliver to: email addresses (as SES
//! takes them), E.164 phone numbers, Twilio SIDs and SES configuration-set
//! names. Each check returns what is wrong, or `Ok`.

/// An email address, optionally with a display name: `me@example.com` or
/// `Me <me@example.com>`. Returns the bare address.
///
/// ```
/// use cfn_gen::validate::address::email;
/// assert_eq!(email("Ops <ops@example.com>"), Ok("ops@example.com"));
/// assert!(email("ops@localhost").is_err());
/// ```
pub fn email(text: &str) -> Result<&str, String> {
    let addr = match (text.find('<'), text.ends_with('>')) {
        (Some(open), true) => &text[open + 1..text.len() - 1],
        (None, false) => text,
        _ => {
            return Err(format!(
                "`{text}` is not an email address (unbalanced `<` `>`)"
            ))
        }
    };
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return Err(format!("`{text}` is not an email address (no `@`)"));
    };
    if local.is_empty() || local.len() > 64 {
        return Err(format!(
            "`{text}` has an empty or over-long part before `@`"
        ));
    }
    if addr.chars().any(|c| c.is_whitespace() || c.is_control()) || local.contains('@') {
        return Err(format!("`{text}` contains white space or a second `@`"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !domain_ok {
        return Err(format!("`{text}` has an invalid domain `{domain}`"));
    }
    Ok(addr)
}

/// The domain of a bare email address.
pub fn email_domain(addr: &str) -> &str {
    addr.rsplit_once('@').map(|(_, d)| d).unwrap_or(addr)
}

/// An E.164 phone number: `+`, a country code not starting with 0, at most
/// 15 digits in all.
///
/// ```
/// use cfn_gen::validate::address::e164;
/// assert!(e164("+15550002222").is_ok());
/// assert!(e164("555-0002222").is_err());
/// ```
pub fn e164(text: &str) -> Result<(), String> {
    let digits = text.strip_prefix('+').unwrap_or("");
    let ok = (2..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{text}` is not an E.164 phone number (`+`, country code, number; at most 15 digits, no spaces)"
        ))
    }
}

/// A Twilio SID: a two-letter prefix (`AC` account, `SK` API key, `MG`
/// messaging service) and 32 hex digits.
pub fn twilio_sid(prefix: &str, text: &str) -> Result<(), String> {
    let hex = text.strip_prefix(prefix).unwrap_or("");
    if hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(format!(
            "`{text}` is not a Twilio SID: `{prefix}` followed by 32 hex digits"
        ))
    }
}

/// An SES configuration-set name: 1 to 64 letters, digits, `-` and `_`.
pub fn configuration_set(text: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{text}` is not an SES configuration-set name (1 to 64 letters, digits, `-` and `_`)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("alice@example.com"), Ok("alice@example.com"));
        for bad in [
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "alice@exa mple.com",
            "Alice <alice@example.com",
            "alice@-example.com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_numbers_and_sids() {
        assert!(e164("+442071234567").is_ok());
        for bad in ["+0123", "+1 555 000", "15550002222", "+1234567890123456"] {
            assert!(e164(bad).is_err(), "{bad}");
        }
        assert!(twilio_sid("AC", &format!("AC{}", "a1".repeat(16))).is_ok());
        assert!(twilio_sid("AC", "AC123").is_err());
        assert!(twilio_sid("SK", &format!("AC{}", "a1".repeat(16))).is_err());
        assert!(configuration_set("alerts_v2").is_ok());
        assert!(configuration_set("alerts v2").is_err());
    }
}
