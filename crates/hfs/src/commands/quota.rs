//! `hfs quota`: the caller's ZeroGPU quota.

use serde_json::json;

use crate::cli::{GlobalArgs, JsonFlag};
use crate::env;
use crate::exit::CliError;

pub async fn run(global: &GlobalArgs, flag: &JsonFlag) -> Result<(), CliError> {
    let (hub, _) = env::hub_client(global.token.as_deref()).await.map_err(CliError::Other)?;
    let q = hub.zero_gpu_quota().await.map_err(|e| CliError::Other(e.into()))?;
    if flag.json {
        println!(
            "{}",
            json!({"schema": "hfs.quota/1", "allowance_s": q.base, "remaining_s": q.current, "resets_at": q.resets_at,
                   "overquota_used_s": q.overquota_used, "raw": q.raw})
        );
        return Ok(());
    }
    let secs = |v: Option<f64>| v.map(|s| format!("{}s", s.round() as i64)).unwrap_or_else(|| "unknown".into());
    println!("ZeroGPU quota");
    println!("  allowance:        {} of GPU time per window (base)", secs(q.base));
    println!("  remaining:        {} (current)", secs(q.current));
    if let Some(r) = &q.resets_at {
        println!("  resets at:        {r}");
    }
    if let Some(o) = q.overquota_used {
        println!("  over-quota used:  {}", secs(Some(o)));
    }
    Ok(())
}
