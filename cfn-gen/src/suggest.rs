//! "Did you mean ...?": the names closest to a misspelled one.
//!
//! Uses [`strsim`]'s Jaro-Winkler similarity (the measure clap uses for its
//! suggestions), which favours shared prefixes: logical IDs share a readable
//! prefix with the construct path they come from. A candidate that ends in a
//! logical ID's eight-hex-digit hash is also compared without it, so
//! `AlertsTopic` finds `Alerts1A2B3C4D`.

/// How similar a name must be to be suggested (0 to 1).
const THRESHOLD: f64 = 0.8;
/// At most this many suggestions.
const MAX: usize = 3;

/// Up to three of `candidates` closest to `wanted`, best first; ties keep
/// the candidates' order, so the result is deterministic.
///
/// ```
/// use cfn_gen::suggest::close_matches;
/// let ids = ["Alerts1A2B3C4D", "ReportRole99AA88BB"];
/// assert_eq!(close_matches("Alert1A2B3C4D", ids), ["Alerts1A2B3C4D"]);
/// assert_eq!(close_matches("AlertsTopic", ids), ["Alerts1A2B3C4D"]);
/// assert!(close_matches("Zzz", ids).is_empty());
/// ```
pub fn close_matches<'a, I, S>(wanted: &str, candidates: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str> + 'a,
{
    let lower = wanted.to_ascii_lowercase();
    let mut scored: Vec<(f64, String)> = candidates
        .into_iter()
        .filter_map(|c| {
            let c = c.as_ref();
            let candidate = c.to_ascii_lowercase();
            let score = strsim::jaro_winkler(&lower, &candidate)
                .max(strsim::jaro_winkler(&lower, without_hash(&candidate)));
            (score >= THRESHOLD && c != wanted).then(|| (score, c.to_owned()))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(MAX).map(|(_, c)| c).collect()
}

/// `id` without a trailing logical-ID hash (eight hex digits), when it has
/// a readable part before one.
fn without_hash(id: &str) -> &str {
    let split = id.len().saturating_sub(8);
    match (id.get(..split), id.get(split..)) {
        (Some(readable), Some(hash))
            if !readable.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            readable
        }
        _ => id,
    }
}

/// `close_matches` as text for a message: "`A`, `B`", or `None` when there is none.
pub fn listed(matches: &[String]) -> Option<String> {
    if matches.is_empty() {
        return None;
    }
    Some(
        matches
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", "),
    )
}
