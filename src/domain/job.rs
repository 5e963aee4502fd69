//! Jobs: the stable identity of a posting, the normalized posting itself and its content hash.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use super::source::{AtsKind, CompanySlug};

fn sha1_hex(bytes: &[u8]) -> String {
    hex(&Sha1::digest(bytes))
}

/// Lowercase hex digits of `bytes` (digests shown as text).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// `sha1_hex("{ats_type}:{company_slug}:{ats_job_id}")`: 40 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobUid(String);

/// A string that is not 40 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a job uid (40 lowercase hex characters)")]
pub struct InvalidJobUid(pub String);

impl JobUid {
    pub fn new(ats: AtsKind, slug: &CompanySlug, ats_job_id: &str) -> Self {
        JobUid::with_slug_spelling(ats, slug.as_str(), ats_job_id)
    }

    /// The same rule over a slug spelled as given, not normalized: the uids of a source
    /// adopted from the Python version, which hashed its slug as it stored it (`Acme`).
    pub fn with_slug_spelling(ats: AtsKind, slug: &str, ats_job_id: &str) -> Self {
        JobUid(sha1_hex(
            format!("{}:{}:{}", ats.as_str(), slug, ats_job_id).as_bytes(),
        ))
    }

    pub fn parse(s: &str) -> Result<Self, InvalidJobUid> {
        let ok = s.len() == 40 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if ok {
            Ok(JobUid(s.to_string()))
        } else {
            Err(InvalidJobUid(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for JobUid {
    type Error = InvalidJobUid;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        JobUid::parse(&s)
    }
}

impl From<JobUid> for String {
    fn from(uid: JobUid) -> String {
        uid.0
    }
}

impl fmt::Display for JobUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the work happens, as far as the posting says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkplaceType {
    OnSite,
    Hybrid,
    Remote,
}

impl WorkplaceType {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkplaceType::OnSite => "on_site",
            WorkplaceType::Hybrid => "hybrid",
            WorkplaceType::Remote => "remote",
        }
    }

    /// Reads the spellings providers use (`on-site`, `OnSite`, `Remote`, `hybrid`, …).
    pub fn parse_loose(s: &str) -> Option<Self> {
        let key: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "onsite" | "inoffice" | "office" | "onpremise" => Some(WorkplaceType::OnSite),
            "hybrid" => Some(WorkplaceType::Hybrid),
            "remote" | "fullyremote" | "remotefirst" => Some(WorkplaceType::Remote),
            _ => None,
        }
    }
}

/// A job posting normalized from any provider. Only what the provider said about the job:
/// no observation times, so the same posting hashes the same run after run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Posting {
    pub ats_job_id: String,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub department: Option<String>,
    pub team: Option<String>,
    pub employment_type: Option<String>,
    pub workplace_type: Option<WorkplaceType>,
    pub url: Option<String>,
    pub apply_url: Option<String>,
    /// Plain text, no markup or entities.
    pub description: String,
    /// Salary as the payload states it, raw; normalizing it is enrichment's job.
    pub salary_text: Option<String>,
    pub posted_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// SHA-1 over the normalized fields of a posting, 40 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContentHash(pub String);

impl ContentHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Posting {
    /// Fills an empty `company`: the provider's own company name wins, else the source's
    /// declared name (from the sources file), else the board's slug. Applied wherever a
    /// posting enters the system (fetch and reparse), so both hash the same.
    pub fn fill_company(&mut self, source_name: Option<&str>, slug: &CompanySlug) {
        let given = self
            .company
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty());
        if !given {
            let name = source_name.map(str::trim).filter(|n| !n.is_empty());
            self.company = Some(name.unwrap_or(slug.as_str()).to_string());
        }
    }

    /// Hash of every normalized field. Each field is length-prefixed so that moving text
    /// from one field to the next changes the hash.
    pub fn content_hash(&self) -> ContentHash {
        let workplace = self.workplace_type.map(WorkplaceType::as_str);
        let posted = self.posted_at.map(|t| t.to_rfc3339());
        let updated = self.updated_at.map(|t| t.to_rfc3339());
        let fields: [Option<&str>; 14] = [
            Some(&self.ats_job_id),
            Some(&self.title),
            self.company.as_deref(),
            self.location.as_deref(),
            self.department.as_deref(),
            self.team.as_deref(),
            self.employment_type.as_deref(),
            workplace,
            self.url.as_deref(),
            self.apply_url.as_deref(),
            Some(&self.description),
            self.salary_text.as_deref(),
            posted.as_deref(),
            updated.as_deref(),
        ];
        let mut canonical = Vec::with_capacity(256 + self.description.len());
        for field in fields {
            match field {
                None => canonical.extend_from_slice(b"-;"),
                Some(v) => {
                    canonical.extend_from_slice(v.len().to_string().as_bytes());
                    canonical.push(b':');
                    canonical.extend_from_slice(v.as_bytes());
                    canonical.push(b';');
                }
            }
        }
        ContentHash(sha1_hex(&canonical))
    }
}

/// A posting as fetched: normalized, with the provider's own JSON for it kept verbatim so
/// fields can be re-derived later without spending API calls, and that JSON's hash.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedPosting {
    pub posting: Posting,
    pub raw_json: String,
    pub raw_hash: RawHash,
}

impl FetchedPosting {
    /// A posting whose raw JSON is hashed with the default salt (no source name).
    pub fn new(posting: Posting, raw_json: impl Into<String>) -> Self {
        let raw_json = raw_json.into();
        let raw_hash = RawHash::of(&RawHash::salt(None), &raw_json);
        FetchedPosting {
            posting,
            raw_json,
            raw_hash,
        }
    }
}

/// A provider's item as received, hashed before any parsing: when it equals the stored
/// one, the posting cannot have changed, so it is neither parsed nor normalized again.
/// The salt holds the parser's version and the source's display name (which fills a
/// missing company), so an upgrade or a renamed source re-derives each posting once.
/// XXH3-128, not a cryptographic hash: it only has to tell an edited item from the stored
/// one (a chance collision among 2^128 values is nil), and SHA-1 was a sixth of a warm run.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RawHash(pub String);

impl RawHash {
    /// The salt for the items of a source named `source_name`.
    pub fn salt(source_name: Option<&str>) -> String {
        format!(
            "jobs-bot {} raw item of {}\0",
            env!("CARGO_PKG_VERSION"),
            source_name.map(str::trim).unwrap_or_default()
        )
    }

    /// 32 lowercase hex digits.
    pub fn of(salt: &str, raw_json: &str) -> RawHash {
        let mut hasher = twox_hash::XxHash3_128::new();
        hasher.write(salt.as_bytes());
        hasher.write(raw_json.as_bytes());
        RawHash(format!("{:032x}", hasher.finish_128()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> CompanySlug {
        CompanySlug::parse(s).unwrap()
    }

    #[test]
    fn uid_matches_sha1sum_vectors() {
        // printf 'greenhouse:acme:4012345' | sha1sum
        assert_eq!(
            JobUid::new(AtsKind::Greenhouse, &slug("acme"), "4012345").as_str(),
            "9301ca1006ff7361def7a6c24909d3ddf0d478d9"
        );
        // printf 'lever:spotify:0a2f9cbb-6a4b-4b4c-9d2a-9f0c4a1f7c1e' | sha1sum
        assert_eq!(
            JobUid::new(
                AtsKind::Lever,
                &slug("Spotify"),
                "0a2f9cbb-6a4b-4b4c-9d2a-9f0c4a1f7c1e"
            )
            .as_str(),
            "1af59b372aa9f795cfedeb40b04fd411b533f308"
        );
    }

    #[test]
    fn uid_parse_accepts_only_lowercase_hex_of_length_40() {
        assert!(JobUid::parse("9301ca1006ff7361def7a6c24909d3ddf0d478d9").is_ok());
        assert!(JobUid::parse("9301CA1006FF7361DEF7A6C24909D3DDF0D478D9").is_err());
        assert!(JobUid::parse("9301ca").is_err());
        assert!(JobUid::parse("g301ca1006ff7361def7a6c24909d3ddf0d478d9").is_err());
    }

    #[test]
    fn hash_separates_fields() {
        let a = Posting {
            title: "ab".into(),
            description: "c".into(),
            ..Posting::default()
        };
        let b = Posting {
            title: "a".into(),
            description: "bc".into(),
            ..Posting::default()
        };
        assert_ne!(a.content_hash(), b.content_hash());
        let none = Posting::default();
        let empty = Posting {
            company: Some(String::new()),
            ..Posting::default()
        };
        assert_ne!(none.content_hash(), empty.content_hash());
    }

    #[test]
    fn company_falls_back_to_the_source_name_then_the_slug() {
        let acme = slug("Acme");
        let filled = |company: Option<&str>, name: Option<&str>| {
            let mut p = Posting {
                company: company.map(str::to_string),
                ..Posting::default()
            };
            p.fill_company(name, &acme);
            p.company
        };
        let own = Some("Acme Corporation".to_string());
        assert_eq!(filled(Some("Acme Corporation"), Some("Acme Inc.")), own);
        assert_eq!(
            filled(None, Some(" Acme Inc. ")),
            Some("Acme Inc.".to_string())
        );
        assert_eq!(
            filled(Some("  "), Some("Acme Inc.")),
            Some("Acme Inc.".to_string())
        );
        assert_eq!(filled(None, None), Some("acme".to_string()));
        assert_eq!(filled(None, Some("")), Some("acme".to_string()));
    }

    #[test]
    fn workplace_spellings() {
        assert_eq!(
            WorkplaceType::parse_loose("on-site"),
            Some(WorkplaceType::OnSite)
        );
        assert_eq!(
            WorkplaceType::parse_loose("OnSite"),
            Some(WorkplaceType::OnSite)
        );
        assert_eq!(
            WorkplaceType::parse_loose("Remote"),
            Some(WorkplaceType::Remote)
        );
        assert_eq!(
            WorkplaceType::parse_loose("hybrid"),
            Some(WorkplaceType::Hybrid)
        );
        assert_eq!(WorkplaceType::parse_loose("unspecified"), None);
    }

    #[test]
    fn raw_hash_is_xxh3_128_of_salt_then_item() {
        // Reference values from the xxHash project's own implementation (python-xxhash).
        assert_eq!(
            RawHash::of("", "").as_str(),
            "99aa06d3014798d86001c324468d497f"
        );
        assert_eq!(
            RawHash::of("salt\0", r#"{"id":1}"#).as_str(),
            "7c2401a7af2536bc928408fb4c06e381"
        );
        // The salt is part of it: another source name or version hashes differently.
        assert_ne!(
            RawHash::of(&RawHash::salt(Some("Acme")), "{}"),
            RawHash::of(&RawHash::salt(Some("Other")), "{}")
        );
    }
}
