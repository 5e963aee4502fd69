//! deploy/: hardened units that `systemd-analyze` verifies and rates OK, an idempotent install.sh.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_jobs-bot");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn unit_path(name: &str) -> PathBuf {
    repo().join("deploy/systemd").join(name)
}

const SERVICES: [&str; 3] = [
    "jobs-bot-ingest.service",
    "jobs-bot-alert@.service",
    "jobs-bot-profile@.service",
];
const TIMERS: [&str; 2] = ["jobs-bot-ingest.timer", "jobs-bot-profile@.timer"];

/// A unit file as (section, key, value) triples, in order; comments and blank lines dropped.
fn parse_unit(name: &str) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(unit_path(name)).expect("unit file");
    let mut section = String::new();
    let mut entries = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.to_string();
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{name}: not key=value: {line}"));
        entries.push((section.clone(), key.trim().into(), value.trim().into()));
    }
    entries
}

/// Every value of `key` in `section`.
fn values(entries: &[(String, String, String)], section: &str, key: &str) -> Vec<String> {
    entries
        .iter()
        .filter(|(s, k, _)| s == section && k == key)
        .map(|(_, _, v)| v.clone())
        .collect()
}

fn one(entries: &[(String, String, String)], section: &str, key: &str) -> String {
    let found = values(entries, section, key);
    assert_eq!(found.len(), 1, "{key}= in [{section}]: {found:?}");
    found[0].clone()
}

const HARDENING: [(&str, &str); 22] = [
    ("NoNewPrivileges", "yes"),
    ("ProtectSystem", "strict"),
    ("ProtectHome", "yes"),
    ("PrivateTmp", "yes"),
    ("PrivateDevices", "yes"),
    ("ProtectKernelTunables", "yes"),
    ("ProtectKernelModules", "yes"),
    ("ProtectKernelLogs", "yes"),
    ("ProtectControlGroups", "yes"),
    ("ProtectClock", "yes"),
    ("ProtectHostname", "yes"),
    ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
    ("RestrictNamespaces", "yes"),
    ("LockPersonality", "yes"),
    ("MemoryDenyWriteExecute", "yes"),
    ("RestrictRealtime", "yes"),
    ("RestrictSUIDSGID", "yes"),
    ("SystemCallArchitectures", "native"),
    ("CapabilityBoundingSet", ""),
    ("UMask", "0077"),
    ("SyslogLevelPrefix", "yes"),
    ("Type", "oneshot"),
];

#[test]
fn every_service_is_hardened_and_never_enabled_itself() {
    for name in SERVICES {
        let unit = parse_unit(name);
        for (key, value) in HARDENING {
            assert_eq!(one(&unit, "Service", key), value, "{name}: {key}=");
        }
        let filters = values(&unit, "Service", "SystemCallFilter");
        assert_eq!(
            filters,
            ["@system-service", "~@privileged @resources"],
            "{name}"
        );
        assert!(!one(&unit, "Service", "MemoryMax").is_empty(), "{name}");
        assert!(
            !one(&unit, "Service", "TimeoutStartSec").is_empty(),
            "{name}"
        );
        assert!(
            unit.iter().all(|(s, _, _)| s != "Install"),
            "{name}: a service has no [Install]: only its timer is enabled"
        );
        assert!(
            !unit.iter().any(|(_, _, v)| v.contains("multi-user.target")),
            "{name}"
        );
    }
}

#[test]
fn run_units_start_jobs_bot_run_with_its_settings_and_alert_on_failure() {
    for (name, exec) in [
        ("jobs-bot-ingest.service", "/usr/local/bin/jobs-bot run"),
        (
            "jobs-bot-profile@.service",
            "/usr/local/bin/jobs-bot run --profile %i",
        ),
    ] {
        let unit = parse_unit(name);
        assert_eq!(one(&unit, "Service", "ExecStart"), exec, "{name}");
        assert_eq!(
            one(&unit, "Service", "EnvironmentFile"),
            "/etc/jobs-bot/jobs-bot.env"
        );
        assert_eq!(one(&unit, "Service", "User"), "jobs-bot");
        assert_eq!(one(&unit, "Service", "StateDirectory"), "jobs-bot");
        assert_eq!(
            one(&unit, "Service", "WorkingDirectory"),
            "/var/lib/jobs-bot"
        );
        assert_eq!(
            one(&unit, "Unit", "OnFailure"),
            "jobs-bot-alert@%n.service",
            "{name}"
        );
        assert_eq!(one(&unit, "Unit", "Wants"), "network-online.target");
        let after = values(&unit, "Unit", "After").join(" ");
        for target in ["network-online.target", "mariadb.service", "mysql.service"] {
            assert!(after.contains(target), "{name}: After= lacks {target}");
        }
        // The database is ordering only: no hard dependency on a local server.
        for key in ["Requires", "BindsTo", "Requisite"] {
            assert!(values(&unit, "Unit", key).is_empty(), "{name}: {key}=");
        }
    }
}

#[test]
fn the_alert_unit_never_reads_the_main_env_file() {
    let unit = parse_unit("jobs-bot-alert@.service");
    assert_eq!(
        one(&unit, "Service", "ExecStart"),
        "/usr/local/bin/jobs-bot alert --unit %i"
    );
    assert_eq!(
        values(&unit, "Service", "EnvironmentFile"),
        ["-/etc/jobs-bot/alert.env"]
    );
    assert!(
        !unit.iter().any(|(_, _, v)| v.contains("jobs-bot.env")),
        "the alert must not see the database password"
    );
    assert_eq!(one(&unit, "Service", "DynamicUser"), "yes");
    assert!(
        values(&unit, "Unit", "OnFailure").is_empty(),
        "no alert loop"
    );
}

#[test]
fn timers_fire_on_schedule_and_are_the_enabled_units() {
    let timer = parse_unit("jobs-bot-ingest.timer");
    assert_eq!(one(&timer, "Timer", "OnCalendar"), "*-*-* 07,19:00:00");
    assert_eq!(one(&timer, "Timer", "RandomizedDelaySec"), "30min");
    assert_eq!(one(&timer, "Timer", "Persistent"), "true");
    for name in TIMERS {
        let timer = parse_unit(name);
        assert_eq!(
            one(&timer, "Install", "WantedBy"),
            "timers.target",
            "{name}"
        );
        assert_eq!(one(&timer, "Timer", "Persistent"), "true", "{name}");
    }
}

/// `systemd-analyze`, or a failure saying how to get it.
fn systemd_analyze() -> &'static str {
    let found = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "systemd-analyze is not on PATH, so the unit files cannot be checked. Install \
         systemd (apt-get update && apt-get install -y systemd); .ci/run does."
    );
    "systemd-analyze"
}

/// The units copied to a temp folder with `ExecStart=` pointing at the built binary
/// (`verify` checks that the binary exists).
fn units_for_analysis() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in SERVICES.iter().chain(TIMERS.iter()) {
        let text = std::fs::read_to_string(unit_path(name)).unwrap();
        std::fs::write(
            dir.path().join(name),
            text.replace("/usr/local/bin/jobs-bot", BIN),
        )
        .unwrap();
    }
    dir
}

#[test]
fn systemd_analyze_verify_accepts_the_units() {
    let tool = systemd_analyze();
    let dir = units_for_analysis();
    let files = [
        "jobs-bot-ingest.service",
        "jobs-bot-ingest.timer",
        "jobs-bot-alert@test.service",
        "jobs-bot-alert@jobs-bot-ingest.service.service",
        "jobs-bot-alert@jobs-bot-profile@alice.service.service",
        "jobs-bot-profile@alice.service",
        "jobs-bot-profile@alice.timer",
    ];
    for file in files {
        let out = Command::new(tool)
            .arg("verify")
            .arg(dir.path().join(file))
            .current_dir(dir.path())
            .output()
            .expect("systemd-analyze runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "verify {file}: {text}");
        // Warnings about our own files (unknown keys, bad values) fail too.
        let ours: Vec<&str> = text.lines().filter(|l| l.contains("jobs-bot")).collect();
        assert!(ours.is_empty(), "verify {file}: {ours:?}");
    }
}

/// "→ Overall exposure level for UNIT: 1.2 OK 🙂" → (1.2, "OK").
fn exposure(text: &str) -> Option<(f64, String)> {
    let line = text
        .lines()
        .find(|l| l.contains("Overall exposure level for"))?;
    let rest = line.rsplit_once(": ")?.1;
    let mut words = rest.split_whitespace();
    let score = words.next()?.parse().ok()?;
    Some((score, words.next()?.to_string()))
}

#[test]
fn systemd_analyze_security_rates_every_service_ok_or_better() {
    let tool = systemd_analyze();
    let dir = units_for_analysis();
    for file in [
        "jobs-bot-ingest.service",
        "jobs-bot-alert@jobs-bot-ingest.service.service",
        "jobs-bot-profile@alice.service",
    ] {
        let out = Command::new(tool)
            .args(["security", "--offline=true", "--no-pager"])
            .arg(dir.path().join(file))
            .current_dir(dir.path())
            .env("SYSTEMD_COLORS", "0")
            .output()
            .expect("systemd-analyze runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let (score, label) = exposure(&text).unwrap_or_else(|| {
            panic!(
                "no exposure level for {file}: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        // systemd's scale: below 5.0 is "OK", below 1.0 "SAFE", 0.0 "PERFECT".
        assert!(score <= 4.9, "{file}: exposure {score} {label}");
        assert!(
            ["OK", "SAFE", "PERFECT"].contains(&label.as_str()),
            "{file}: {label}"
        );
    }
}

/// Every file and folder under `root`: relative path → (mode, owner, content or link target).
fn snapshot(root: &Path) -> BTreeMap<String, (u32, u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let content = if meta.is_dir() {
                stack.push(path.clone());
                Vec::new()
            } else if meta.file_type().is_symlink() {
                std::fs::read_link(&path)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                std::fs::read(&path).unwrap()
            };
            out.insert(rel, (meta.permissions().mode(), meta.uid(), content));
        }
    }
    out
}

fn install(destdir: &Path, args: &[&str]) {
    let out = Command::new("sh")
        .arg(repo().join("deploy/install.sh"))
        .args(args)
        .env("DESTDIR", destdir)
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "install.sh {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn install_script_is_idempotent_and_uninstall_keeps_the_env_file() {
    let root = tempfile::tempdir().unwrap();
    let dest = root.path();
    install(dest, &[BIN]);
    let first = snapshot(dest);
    let mode = |rel: &str| {
        first
            .get(rel)
            .unwrap_or_else(|| panic!("{rel} not installed: {:?}", first.keys()))
            .0
            & 0o7777
    };
    assert_eq!(mode("usr/local/bin/jobs-bot"), 0o755);
    assert_eq!(mode("etc/jobs-bot/jobs-bot.env"), 0o600);
    assert_eq!(mode("etc/jobs-bot/alert.env"), 0o600);
    assert_eq!(mode("var/lib/jobs-bot"), 0o750);
    assert_eq!(mode("var/lib/jobs-bot/sources.toml"), 0o640);
    for name in SERVICES.iter().chain(TIMERS.iter()) {
        assert_eq!(mode(&format!("etc/systemd/system/{name}")), 0o644, "{name}");
    }
    assert_eq!(
        first["usr/local/bin/jobs-bot"].2,
        std::fs::read(BIN).unwrap()
    );

    install(dest, &[BIN]);
    assert_eq!(snapshot(dest), first, "a second run changes nothing");

    // An edited env file is never overwritten.
    let env = dest.join("etc/jobs-bot/jobs-bot.env");
    std::fs::write(&env, "MYSQL_PASSWORD=mine\n").unwrap();
    install(dest, &[BIN]);
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        "MYSQL_PASSWORD=mine\n"
    );

    install(dest, &["--uninstall"]);
    let left = snapshot(dest);
    assert!(!left.contains_key("usr/local/bin/jobs-bot"), "{left:?}");
    assert!(
        !left.keys().any(|k| k.starts_with("etc/systemd")),
        "{:?}",
        left.keys()
    );
    assert_eq!(
        left["etc/jobs-bot/jobs-bot.env"].2,
        b"MYSQL_PASSWORD=mine\n"
    );
    assert!(left.contains_key("etc/jobs-bot/alert.env"));
    assert!(
        left.contains_key("var/lib/jobs-bot/sources.toml"),
        "data kept"
    );

    install(dest, &["--uninstall", "--purge"]);
    assert!(snapshot(dest).is_empty(), "{:?}", snapshot(dest).keys());
}

/// The variables in README's configuration table.
fn readme_variables() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let start = readme
        .find("| variable | default | what it does |")
        .expect("configuration table");
    readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cell = l.split('|').nth(1)?.trim();
            Some(cell.trim_matches('`').to_string())
        })
        .collect()
}

#[test]
fn the_env_example_lists_every_setting_of_the_readme() {
    let example = std::fs::read_to_string(repo().join("deploy/jobs-bot.env.example")).unwrap();
    let variables = readme_variables();
    assert!(variables.len() > 30, "{variables:?}");
    for var in [
        "ALERT_WEBHOOK_URL",
        "ALERT_WEBHOOK_FORMAT",
        "PROFILES_DIR",
        "PROFILE_ID",
    ] {
        assert!(
            variables.iter().any(|v| v == var),
            "{var} not in the README table"
        );
    }
    for var in &variables {
        assert!(
            example.contains(&format!("# {var}=")) || example.contains(&format!("\n{var}=")),
            "{var} missing from deploy/jobs-bot.env.example"
        );
    }
    let alert = std::fs::read_to_string(repo().join("deploy/alert.env.example")).unwrap();
    let set: Vec<&str> = alert
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    assert!(
        set.is_empty(),
        "alert.env.example sets values by default: {set:?}"
    );
    assert!(
        alert.contains("# ALERT_WEBHOOK_URL=") && alert.contains("# ALERT_WEBHOOK_FORMAT=json")
    );
}
