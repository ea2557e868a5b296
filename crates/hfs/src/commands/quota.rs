//! `hfs quota`: the caller's ZeroGPU quota.

use crate::cli::GlobalArgs;
use crate::env;
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer) -> Result<(), CliError> {
    let (hub, _) = env::hub_client(global.token.as_deref(), p).await?;
    let q = hub.zero_gpu_quota().await.map_err(CliError::Hub)?;
    // How long until the window resets, from the Hub's timestamp (None when absent or past).
    let resets_in = q
        .resets_at
        .as_deref()
        .and_then(|t| humantime::parse_rfc3339_weak(t.trim_end_matches('Z')).ok())
        .and_then(|at| at.duration_since(std::time::SystemTime::now()).ok());
    if p.json() {
        p.doc(&hfs_schema::QuotaDoc {
            schema: hfs_schema::QuotaDoc::SCHEMA.into(),
            allowance_s: q.base,
            remaining_s: q.current,
            resets_at: q.resets_at,
            resets_in_s: resets_in.map(|d| d.as_secs()),
            overquota_used_s: q.overquota_used,
            raw: q.raw,
        });
        return Ok(());
    }
    let secs = |v: Option<f64>| match v {
        Some(s) if s.fract() == 0.0 => format!("{}s", s as i64),
        Some(s) => format!("{s:.1}s"),
        None => "unknown".into(),
    };
    let mut out = String::from("ZeroGPU quota\n");
    out.push_str(&format!("  allowance:        {} of GPU time per window (base)\n", secs(q.base)));
    out.push_str(&format!("  remaining:        {} (current)\n", secs(q.current)));
    if let Some(r) = &q.resets_at {
        match resets_in {
            Some(d) => out.push_str(&format!("  resets at:        {r} (in {})\n", hfs_gradio::fmt_duration(d))),
            None => out.push_str(&format!("  resets at:        {r}\n")),
        }
    }
    if let Some(o) = q.overquota_used {
        out.push_str(&format!("  over-quota used:  {}\n", secs(Some(o))));
    }
    p.out(&out);
    Ok(())
}
