//! JSON helpers shared by the providers: envelope and per-item parsing, lenient field types.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::value::RawValue;

use crate::domain::{FetchedPosting, Posting};
use crate::ports::{Page, RejectedItem, SourceError, SourceRef};

/// Deserializes `bytes` as `T`, reporting the serde path of the first problem.
pub fn parse<T: DeserializeOwned>(bytes: &[u8], prefix: &str) -> Result<T, SourceError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| malformed(prefix, e))?;
    // Trailing garbage after the document is as malformed as a missing brace.
    de.end().map_err(|e| SourceError::Malformed {
        path: if prefix.is_empty() {
            ".".into()
        } else {
            prefix.into()
        },
        message: e.to_string(),
    })?;
    Ok(value)
}

fn malformed(prefix: &str, e: serde_path_to_error::Error<serde_json::Error>) -> SourceError {
    let inner = e.path().to_string();
    let path = match (prefix.is_empty(), inner.as_str()) {
        (true, p) => p.to_string(),
        (false, ".") => prefix.to_string(),
        (false, p) if p.starts_with('[') => format!("{prefix}{p}"),
        (false, p) => format!("{prefix}.{p}"),
    };
    SourceError::Malformed {
        path,
        message: e.into_inner().to_string(),
    }
}

/// Items of a list, each parsed on its own so one bad item does not sink the page.
/// Each item's raw JSON is hashed first: one the source already stores unchanged
/// (`SourceRef::known`) is only listed in `Page::unchanged`, never parsed. `convert`
/// returns `Ok(None)` for items that are not postings (e.g. unlisted ones). The page
/// returned has no `next`; the adapter sets it.
pub fn convert_items<F>(
    source: &SourceRef,
    items: &[Box<RawValue>],
    list_path: &str,
    convert: F,
) -> Page
where
    F: Fn(&str, &str) -> Result<Option<Posting>, SourceError>,
{
    let mut page = Page {
        postings: Vec::with_capacity(items.len()),
        ..Page::default()
    };
    for (i, item) in items.iter().enumerate() {
        let raw = item.get();
        let raw_hash = source.known.hash(raw);
        if let Some(uid) = source.known.uid(&raw_hash) {
            page.unchanged.push(uid.clone());
            continue;
        }
        let path = format!("{list_path}[{i}]");
        match convert(raw, &path) {
            Ok(Some(posting)) => page.postings.push(FetchedPosting {
                posting,
                raw_json: raw.to_string(),
                raw_hash,
            }),
            Ok(None) => {}
            Err(e) => page.rejected.push(RejectedItem {
                path: match &e {
                    SourceError::Malformed { path, .. } => path.clone(),
                    _ => path,
                },
                reason: match e {
                    SourceError::Malformed { message, .. } => message,
                    other => other.to_string(),
                },
            }),
        }
    }
    page
}

/// An id that providers send as a number or a string; either way it is kept as a string.
pub fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        S(String),
        U(u64),
        I(i64),
    }
    let id = match Id::deserialize(d)
        .map_err(|_| serde::de::Error::custom("id must be a string or an integer"))?
    {
        Id::S(s) => s.trim().to_string(),
        Id::U(n) => n.to_string(),
        Id::I(n) => n.to_string(),
    };
    if id.is_empty() {
        return Err(serde::de::Error::custom("id is empty"));
    }
    Ok(id)
}

/// A number that may arrive as a JSON number or a numeric string; anything else is `None`.
pub fn lenient_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match value {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().replace(',', "").parse().ok(),
        _ => None,
    })
}

/// A trimmed, non-empty string, or `None`.
pub fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Timestamps as providers write them: RFC 3339 with any offset, `2026-09-15 08:11:57 UTC`,
/// naive date-times (taken as UTC) and bare dates. Unreadable → `None`, never an error.
pub fn parse_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    let s = s?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = s.trim_end_matches(" UTC").trim_end_matches('Z');
    for fmt in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(naive, fmt) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Item {
        #[serde(deserialize_with = "id_string")]
        id: String,
    }

    #[test]
    fn ids_may_be_numbers_or_strings() {
        let a: Item = parse(br#"{"id": 42}"#, "").unwrap();
        let b: Item = parse(br#"{"id": " x-1 "}"#, "").unwrap();
        assert_eq!((a.id.as_str(), b.id.as_str()), ("42", "x-1"));
        let err = parse::<Item>(br#"{"id": null}"#, "jobs[3]").unwrap_err();
        assert!(
            matches!(err, SourceError::Malformed { ref path, .. } if path == "jobs[3].id"),
            "{err:?}"
        );
    }

    #[test]
    fn times_in_provider_formats() {
        let want = "2026-07-14T22:35:00Z".parse::<DateTime<Utc>>().ok();
        assert_eq!(parse_time(Some("2026-07-14T18:35:00-04:00")), want);
        assert_eq!(parse_time(Some("2026-07-14 22:35:00 UTC")), want);
        assert_eq!(
            parse_time(Some("2026-07-14")),
            "2026-07-14T00:00:00Z".parse().ok()
        );
        assert_eq!(parse_time(Some("soon")), None);
    }
}
