//! `hfs quota`: the caller's ZeroGPU quota.

use serde_json::json;

use crate::cli::{GlobalArgs, JsonFlag};
use crate::env;
use crate::exit::CliError;

pub async fn run(global: &GlobalArgs, flag: &JsonFlag) -> Result<(), CliError> {
    let (hub, _) = env::hub_client(global.token.as_deref()).await?;
    let q = hub.zero_gpu_quota().await.map_err(CliError::Hub)?;
    // How long until the window resets, from the Hub's timestamp (None when absent or past).
    let resets_in = q
        .resets_at
        .as_deref()
        .and_then(|t| humantime::parse_rfc3339_weak(t.trim_end_matches('Z')).ok())
        .and_then(|at| at.duration_since(std::time::SystemTime::now()).ok());
    if flag.json {
        println!(
            "{}",
            json!({"schema": "hfs.quota/1", "allowance_s": q.base, "remaining_s": q.current, "resets_at": q.resets_at,
                   "resets_in_s": resets_in.map(|d| d.as_secs()),
                   "overquota_used_s": q.overquota_used, "raw": q.raw})
        );
        return Ok(());
    }
    let secs = |v: Option<f64>| match v {
        Some(s) if s.fract() == 0.0 => format!("{}s", s as i64),
        Some(s) => format!("{s:.1}s"),
        None => "unknown".into(),
    };
    println!("ZeroGPU quota");
    println!("  allowance:        {} of GPU time per window (base)", secs(q.base));
    println!("  remaining:        {} (current)", secs(q.current));
    if let Some(r) = &q.resets_at {
        match resets_in {
            Some(d) => println!("  resets at:        {r} (in {})", hfs_gradio::fmt_duration(d)),
            None => println!("  resets at:        {r}"),
        }
    }
    if let Some(o) = q.overquota_used {
        println!("  over-quota used:  {}", secs(Some(o)));
    }
    Ok(())
}
