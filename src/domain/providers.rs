//! The ATS providers jobs-bot reads, and every per-provider fact, registered in one table.
//!
//! Adding a provider here is one entry in the `providers!` list below: its `AtsKind`
//! variant and its [`ProviderFacts`]. `AtsKind::ALL`, names, parsing and careers-URL hosts
//! all follow from that entry.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What the domain knows about one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderFacts {
    /// Lowercase name used in identities, the database, configuration and the sources file.
    /// It must be the variant name lowercased (that is how serde spells it; a test checks).
    pub name: &'static str,
    /// Whether `region = "eu"` means anything for this provider.
    pub eu: EuInstance,
    /// The board identifiers are case-sensitive, so the declared spelling must be kept for
    /// requests even though identity uses the lowercased slug.
    pub case_sensitive_ids: bool,
    /// Careers-page hosts, tried in order, and where on each the board name is.
    pub careers: &'static [CareersHost],
}

/// Whether a provider runs a separate EU API instance that a board may live on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EuInstance {
    /// Boards declared with `region = "eu"` are read from the provider's EU API.
    Separate,
    /// There is none; `note`, when given, says why an EU-looking board is still global.
    Absent { note: Option<&'static str> },
}

/// A careers-page host and how it names a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CareersHost {
    /// Lowercase host; for [`BoardAt::Subdomain`], the domain the board's subdomain sits under.
    pub host: &'static str,
    pub board: BoardAt,
    /// Boards on this host are served by the provider's EU API instance.
    pub eu: bool,
}

/// Where a careers URL carries the board name. `word` is what the provider calls it
/// (`token`, `site`), shown in the list of supported forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardAt {
    /// `host/{word}/…`: the first path segment. A first segment listed in `not_boards`
    /// names no board (`apply.workable.com/j/{code}` is a single job's short link).
    FirstSegment {
        word: &'static str,
        not_boards: &'static [&'static str],
    },
    /// As `FirstSegment`, except that a path starting with `segment` carries the board in
    /// the query parameter `param` (Greenhouse's `/embed/job_board?for={token}`).
    FirstSegmentOrQuery {
        word: &'static str,
        segment: &'static str,
        param: &'static str,
    },
    /// `{word}.host`: a single-label subdomain.
    Subdomain { word: &'static str },
    /// `{tenant}.{shard}.host/[{locale}/]{word}` (Workday): the board is
    /// `{tenant}.{shard}.{word}`, every part needed to reach the site's API.
    TenantShardSite { word: &'static str },
    /// `{dc}.host/…?{param}={word}` (SuccessFactors): the board is `{word}.{dc}.host`, the
    /// company id and the data-center host its feed lives on.
    SubdomainQuery {
        word: &'static str,
        path: &'static str,
        param: &'static str,
    },
}

impl CareersHost {
    /// The form shown to users, e.g. `jobs.lever.co/{site}`.
    pub fn form(&self) -> String {
        match self.board {
            BoardAt::FirstSegment { word, .. } | BoardAt::FirstSegmentOrQuery { word, .. } => {
                format!("{}/{{{word}}}", self.host)
            }
            BoardAt::Subdomain { word } => format!("{{{word}}}.{}", self.host),
            BoardAt::TenantShardSite { word } => {
                format!("{{tenant}}.{{shard}}.{}/{{{word}}}", self.host)
            }
            BoardAt::SubdomainQuery { word, path, param } => {
                format!("{{dc}}.{}/{path}?{param}={{{word}}}", self.host)
            }
        }
    }
}

/// Declares `AtsKind` and its facts from one list, so a provider cannot exist without
/// facts, or be missing from `AtsKind::ALL`.
macro_rules! providers {
    ($($(#[$doc:meta])* $kind:ident => $facts:expr,)+) => {
        /// An ATS provider whose public job-board API jobs-bot reads.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(rename_all = "lowercase")]
        pub enum AtsKind {
            $($(#[$doc])* $kind,)+
        }

        impl AtsKind {
            /// Every provider, in declaration order.
            pub const ALL: [AtsKind; [$(AtsKind::$kind),+].len()] = [$(AtsKind::$kind),+];

            /// Everything the domain knows about this provider.
            pub const fn facts(self) -> &'static ProviderFacts {
                match self {
                    $(AtsKind::$kind => {
                        const FACTS: ProviderFacts = $facts;
                        &FACTS
                    })+
                }
            }
        }
    };
}

/// SuccessFactors career sites, on each data center's host.
const SUCCESSFACTORS_BOARD: BoardAt = BoardAt::SubdomainQuery {
    word: "company",
    path: "career",
    param: "company",
};

/// Personio's job pages; `.de` boards are declared `region = "eu"`.
const PERSONIO_BOARD: BoardAt = BoardAt::Subdomain { word: "company" };

/// Greenhouse's board pages, all read from the one global API.
const GREENHOUSE_BOARD: BoardAt = BoardAt::FirstSegmentOrQuery {
    word: "token",
    segment: "embed",
    param: "for",
};

providers! {
    /// Greenhouse Job Board API.
    Greenhouse => ProviderFacts {
        name: "greenhouse",
        eu: EuInstance::Absent {
            note: Some(
                "boards on job-boards.eu.greenhouse.io are served by the global API",
            ),
        },
        case_sensitive_ids: false,
        careers: &[
            CareersHost { host: "boards.greenhouse.io", board: GREENHOUSE_BOARD, eu: false },
            CareersHost { host: "job-boards.greenhouse.io", board: GREENHOUSE_BOARD, eu: false },
            CareersHost { host: "job-boards.eu.greenhouse.io", board: GREENHOUSE_BOARD, eu: false },
        ],
    },
    /// Lever Postings API, with a separate EU instance.
    Lever => ProviderFacts {
        name: "lever",
        eu: EuInstance::Separate,
        case_sensitive_ids: false,
        careers: &[
            CareersHost {
                host: "jobs.lever.co",
                board: BoardAt::FirstSegment { word: "site", not_boards: &[] },
                eu: false,
            },
            CareersHost {
                host: "jobs.eu.lever.co",
                board: BoardAt::FirstSegment { word: "site", not_boards: &[] },
                eu: true,
            },
        ],
    },
    /// Ashby public job-posting API.
    Ashby => ProviderFacts {
        name: "ashby",
        eu: EuInstance::Absent { note: None },
        case_sensitive_ids: false,
        careers: &[CareersHost {
            host: "jobs.ashbyhq.com",
            board: BoardAt::FirstSegment { word: "name", not_boards: &[] },
            eu: false,
        }],
    },
    /// SmartRecruiters Posting API; company identifiers are case-sensitive.
    SmartRecruiters => ProviderFacts {
        name: "smartrecruiters",
        eu: EuInstance::Absent { note: None },
        case_sensitive_ids: true,
        careers: &[
            CareersHost {
                host: "careers.smartrecruiters.com",
                board: BoardAt::FirstSegment { word: "id", not_boards: &[] },
                eu: false,
            },
            CareersHost {
                host: "jobs.smartrecruiters.com",
                board: BoardAt::FirstSegment { word: "id", not_boards: &[] },
                eu: false,
            },
        ],
    },
    /// Workable public widget API.
    Workable => ProviderFacts {
        name: "workable",
        eu: EuInstance::Absent { note: None },
        case_sensitive_ids: false,
        careers: &[CareersHost {
            host: "apply.workable.com",
            board: BoardAt::FirstSegment { word: "account", not_boards: &["j"] },
            eu: false,
        }],
    },
    /// Recruitee Careers Site API, one subdomain per company.
    Recruitee => ProviderFacts {
        name: "recruitee",
        eu: EuInstance::Absent { note: None },
        case_sensitive_ids: false,
        careers: &[CareersHost {
            host: "recruitee.com",
            board: BoardAt::Subdomain { word: "company" },
            eu: false,
        }],
    },
    /// Workday career sites (the CXS API behind them), one host per tenant and shard.
    Workday => ProviderFacts {
        name: "workday",
        eu: EuInstance::Absent { note: None },
        // Site names are sent as declared (`External_Careers`).
        case_sensitive_ids: true,
        careers: &[CareersHost {
            host: "myworkdayjobs.com",
            board: BoardAt::TenantShardSite { word: "site" },
            eu: false,
        }],
    },
    /// SAP SuccessFactors public XML job feed, one per company on its data center.
    SuccessFactors => ProviderFacts {
        name: "successfactors",
        eu: EuInstance::Absent {
            note: Some("the data center is part of the board: successfactors.eu hosts are read as given"),
        },
        // Company ids are sent as declared (`acmeP`).
        case_sensitive_ids: true,
        careers: &[
            CareersHost { host: "successfactors.eu", board: SUCCESSFACTORS_BOARD, eu: false },
            CareersHost { host: "successfactors.com", board: SUCCESSFACTORS_BOARD, eu: false },
        ],
    },
    /// Personio XML job feed; a company's feed is on `.com` or, with `region = "eu"`, `.de`.
    Personio => ProviderFacts {
        name: "personio",
        eu: EuInstance::Separate,
        case_sensitive_ids: false,
        careers: &[
            CareersHost { host: "jobs.personio.com", board: PERSONIO_BOARD, eu: false },
            CareersHost { host: "jobs.personio.de", board: PERSONIO_BOARD, eu: true },
        ],
    },
}

impl AtsKind {
    /// The lowercase name used in identities, the database and configuration.
    pub fn as_str(self) -> &'static str {
        self.facts().name
    }

    /// Whether the provider runs a separate EU instance that a board may live on.
    pub fn has_eu_instance(self) -> bool {
        self.facts().eu == EuInstance::Separate
    }

    /// `Err` with the reason when boards of this provider cannot be on an EU instance.
    pub fn check_eu(self) -> Result<(), NoEuInstance> {
        if self.has_eu_instance() {
            Ok(())
        } else {
            Err(NoEuInstance(self))
        }
    }

    /// Whether the provider's board identifiers are case-sensitive, so the declared spelling
    /// must be kept for requests even though identity uses the lowercased slug.
    pub fn case_sensitive_ids(self) -> bool {
        self.facts().case_sensitive_ids
    }

    /// Every provider's name, comma-separated, for messages.
    pub fn names() -> String {
        AtsKind::ALL.map(AtsKind::as_str).join(", ")
    }
}

impl fmt::Display for AtsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name given is not a supported provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ATS provider {0:?} (supported: {names})", names = AtsKind::names())]
pub struct UnknownAts(pub String);

impl FromStr for AtsKind {
    type Err = UnknownAts;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        AtsKind::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| UnknownAts(s.to_string()))
    }
}

/// A board was placed on the EU instance of a provider that has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} has no EU API instance{note}", note = eu_note(*.0))]
pub struct NoEuInstance(pub AtsKind);

fn eu_note(kind: AtsKind) -> String {
    match kind.facts().eu {
        EuInstance::Absent { note: Some(note) } => format!(": {note}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ats_kind_round_trips_through_its_name() {
        for kind in AtsKind::ALL {
            assert_eq!(kind.as_str().parse::<AtsKind>(), Ok(kind));
            // serde spells the variant lowercased; the registered name must agree.
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
        assert_eq!("GreenHouse".parse::<AtsKind>(), Ok(AtsKind::Greenhouse));
        let err = "taleo".parse::<AtsKind>().unwrap_err().to_string();
        assert!(err.contains("greenhouse, lever, ashby"), "{err}");
    }

    #[test]
    fn facts_are_consistent() {
        let mut hosts = std::collections::HashSet::new();
        for kind in AtsKind::ALL {
            let facts = kind.facts();
            assert!(!facts.careers.is_empty(), "{kind} has no careers host");
            for host in facts.careers {
                assert_eq!(host.host, host.host.to_ascii_lowercase());
                assert!(hosts.insert(host.host), "{} registered twice", host.host);
                assert!(
                    !host.eu || kind.has_eu_instance(),
                    "{} is an EU host of {kind}, which has no EU instance",
                    host.host
                );
            }
        }
    }

    #[test]
    fn only_lever_and_personio_have_an_eu_instance() {
        assert_eq!(AtsKind::Lever.check_eu(), Ok(()));
        assert_eq!(AtsKind::Personio.check_eu(), Ok(()));
        let err = AtsKind::Greenhouse.check_eu().unwrap_err().to_string();
        assert_eq!(
            err,
            "greenhouse has no EU API instance: boards on job-boards.eu.greenhouse.io are \
             served by the global API"
        );
        assert_eq!(
            AtsKind::Ashby.check_eu().unwrap_err().to_string(),
            "ashby has no EU API instance"
        );
    }

    #[test]
    fn forms_name_the_placeholder() {
        let lever = AtsKind::Lever.facts().careers[0];
        assert_eq!(lever.form(), "jobs.lever.co/{site}");
        let recruitee = AtsKind::Recruitee.facts().careers[0];
        assert_eq!(recruitee.form(), "{company}.recruitee.com");
        let workday = AtsKind::Workday.facts().careers[0];
        assert_eq!(workday.form(), "{tenant}.{shard}.myworkdayjobs.com/{site}");
        let sf = AtsKind::SuccessFactors.facts().careers[0];
        assert_eq!(sf.form(), "{dc}.successfactors.eu/career?company={company}");
    }
}
