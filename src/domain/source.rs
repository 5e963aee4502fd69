//! Sources: which ATS provider, and the validated company slug that names a board on it.

use std::fmt;

pub use super::providers::{AtsKind, UnknownAts};

/// Why a company slug was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("company slug is empty")]
    Empty,
    #[error("company slug is longer than {max} characters", max = CompanySlug::MAX_LEN)]
    TooLong,
    #[error("company slug {0:?} may only contain a-z, 0-9, '.', '_' and '-'")]
    InvalidCharacter(String),
    #[error("company slug {0:?} may not be made of dots only or contain '..'")]
    DotSegment(String),
}

/// A company's board name on its provider: trimmed, 1–128 chars of `[a-z0-9._-]` once
/// lowercased. It is spliced into URLs, so nothing that could change a URL's meaning passes.
/// The spelling as declared is kept separately for providers with case-sensitive ids.
#[derive(Debug, Clone)]
pub struct CompanySlug {
    normalized: String,
    declared: String,
}

impl CompanySlug {
    pub const MAX_LEN: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        let declared = raw.trim();
        if declared.is_empty() {
            return Err(SlugError::Empty);
        }
        if declared.chars().count() > Self::MAX_LEN {
            return Err(SlugError::TooLong);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if !declared.chars().all(allowed) {
            return Err(SlugError::InvalidCharacter(declared.to_string()));
        }
        if declared.contains("..") || declared.chars().all(|c| c == '.') {
            return Err(SlugError::DotSegment(declared.to_string()));
        }
        Ok(CompanySlug {
            normalized: declared.to_ascii_lowercase(),
            declared: declared.to_string(),
        })
    }

    /// The lowercase slug used for identity and storage.
    pub fn as_str(&self) -> &str {
        &self.normalized
    }

    /// The slug as the user wrote it (trimmed), for providers whose ids are case-sensitive.
    pub fn declared(&self) -> &str {
        &self.declared
    }
}

// Identity is the normalized slug: `Acme` and `acme` are the same board.
impl PartialEq for CompanySlug {
    fn eq(&self, other: &Self) -> bool {
        self.normalized == other.normalized
    }
}

impl Eq for CompanySlug {}

impl std::hash::Hash for CompanySlug {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.normalized.hash(state);
    }
}

impl PartialOrd for CompanySlug {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CompanySlug {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.normalized.cmp(&other.normalized)
    }
}

impl fmt::Display for CompanySlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized)
    }
}

/// One board: a provider and a company slug. Unique per source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceKey {
    pub ats: AtsKind,
    pub slug: CompanySlug,
}

impl SourceKey {
    pub fn new(ats: AtsKind, slug: CompanySlug) -> Self {
        SourceKey { ats, slug }
    }
}

impl fmt::Display for SourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.ats, self.slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_is_trimmed_and_lowercased_but_keeps_declared_spelling() {
        let slug = CompanySlug::parse("  Ubisoft2 ").unwrap();
        assert_eq!(slug.as_str(), "ubisoft2");
        assert_eq!(slug.declared(), "Ubisoft2");
        assert_eq!(slug, CompanySlug::parse("ubisoft2").unwrap());
    }

    #[test]
    fn slug_rejects_url_significant_characters() {
        for bad in [
            "a/b", "a?b", "a#b", "a%2f", "a b", "..", "a..b", ".", "ü", "",
        ] {
            assert!(
                CompanySlug::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert_eq!(CompanySlug::parse("   "), Err(SlugError::Empty));
        assert_eq!(
            CompanySlug::parse(&"a".repeat(129)),
            Err(SlugError::TooLong)
        );
        assert!(CompanySlug::parse(&"a".repeat(128)).is_ok());
        assert!(CompanySlug::parse("acme-inc_2.io").is_ok());
    }
}
