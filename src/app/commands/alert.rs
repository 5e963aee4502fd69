//! `jobs-bot alert --unit UNIT [--strict]`: report a failed systemd unit to journald and a webhook.

use std::process::Stdio;
use std::time::Duration;

use super::AppError;
use crate::adapters::ats::AtsConfig;
use crate::adapters::webhook::{UnitFailure, Webhook, WebhookError, WebhookRetry, payload};
use crate::app::cli::AlertArgs;
use crate::app::config::Settings;

/// Journal lines of the failed unit put in the alert.
const JOURNAL_LINES: &str = "20";
/// How long `journalctl` may take before the alert goes out without its lines.
const JOURNAL_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest journal line kept, in characters.
const JOURNAL_LINE_CHARS: usize = 1000;
/// Attempts to deliver the webhook, the first included.
const WEBHOOK_ATTEMPTS: u32 = 3;

pub(crate) async fn alert(settings: &Settings, args: &AlertArgs) -> Result<(), AppError> {
    let failure = UnitFailure {
        unit: args.unit.clone(),
        host: hostname(),
        timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        journal: journal_tail(&args.unit).await,
    };
    tracing::error!(
        event = "unit_failed",
        unit = %failure.unit,
        host = %failure.host,
        journal_lines = failure.journal.len() as u64,
        journal = %failure.journal.join("\n"),
    );
    let Some(url) = &settings.alert_webhook_url else {
        tracing::info!(
            event = "alert_webhook_skipped",
            hint =
                "set ALERT_WEBHOOK_URL (in /etc/jobs-bot/alert.env under systemd) to be notified",
        );
        return Ok(());
    };
    let format = settings.alert_webhook_format;
    let retry = WebhookRetry {
        attempts: WEBHOOK_ATTEMPTS,
        base_delay: settings.retry.base_delay,
        max_delay: settings.retry.max_delay,
    };
    let user_agent = AtsConfig::default().user_agent;
    let sent = match Webhook::new(url.expose(), settings.request_timeout, &user_agent, retry) {
        Ok(webhook) => {
            let request = payload(format, &failure);
            webhook
                .send(&request, |err: &WebhookError, delay: Duration| {
                    tracing::warn!(
                        event = "alert_webhook_retry",
                        reason = err.reason(),
                        error = %err,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    );
                })
                .await
        }
        Err(err) => Err(err),
    };
    match sent {
        Ok(()) => {
            tracing::info!(event = "alert_sent", unit = %failure.unit, format = %format);
            Ok(())
        }
        Err(err) => {
            // The URL is a secret: only the kind of failure is logged.
            tracing::error!(
                event = "alert_webhook_failed",
                unit = %failure.unit,
                format = %format,
                reason = err.reason(),
                error = %err,
            );
            if args.strict {
                Err(AppError::Webhook(err))
            } else {
                Ok(())
            }
        }
    }
}

/// This machine's name (from `uname`, which needs no file under /proc or /etc).
fn hostname() -> String {
    let name = rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned();
    if name.is_empty() {
        "unknown".into()
    } else {
        name
    }
}

/// The failed unit's last journal lines, when `journalctl` exists and may read them (the
/// alert unit's `SupplementaryGroups=systemd-journal`); none otherwise.
async fn journal_tail(unit: &str) -> Vec<String> {
    let child = tokio::process::Command::new("journalctl")
        .args([
            "-u",
            unit,
            "-n",
            JOURNAL_LINES,
            "-o",
            "cat",
            "--no-pager",
            "--quiet",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn();
    let Ok(child) = child else {
        return Vec::new();
    };
    match tokio::time::timeout(JOURNAL_TIMEOUT, child.wait_with_output()).await {
        Ok(Ok(out)) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.chars().take(JOURNAL_LINE_CHARS).collect())
            .collect(),
        _ => Vec::new(),
    }
}
