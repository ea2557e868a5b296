//! `hfs space info SPACE`.

use crate::cli::{GlobalArgs, SpaceCommand};
use crate::env;
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, cmd: &SpaceCommand) -> Result<(), CliError> {
    let SpaceCommand::Info { space } = cmd;
    let (hub, _) = env::hub_client(global.token.as_deref(), p).await?;
    let info = hub.space_info(space).await.map_err(CliError::Hub)?;
    let stage = info.runtime.as_ref().map(|r| r.stage.to_string());
    let hardware = info.runtime.as_ref().and_then(|r| r.hardware.clone().or(r.requested_hardware.clone()));
    let zero_gpu = hardware.as_deref().is_some_and(|h| h.starts_with("zero"));
    if p.json() {
        p.doc(&hfs_schema::SpaceDoc {
            schema: hfs_schema::SpaceDoc::SCHEMA.into(),
            id: info.id.clone(),
            stage,
            hardware,
            zero_gpu,
            sdk: info.sdk.clone(),
            sdk_version: info.sdk_version.clone(),
            host: info.host.as_ref().map(|h| h.to_string()),
            private: info.private,
            likes: info.likes,
            error_message: info.runtime.as_ref().and_then(|r| r.error_message.clone()),
        });
        return Ok(());
    }
    let mut out = String::new();
    out.push_str(&format!("{}\n", info.id));
    out.push_str(&format!("  stage:     {}\n", stage.as_deref().unwrap_or("unknown")));
    if let Some(msg) = info.runtime.as_ref().and_then(|r| r.error_message.as_ref()) {
        out.push_str(&format!("  error:     {msg}\n"));
    }
    out.push_str(&format!("  hardware:  {}{}\n", hardware.as_deref().unwrap_or("unknown"), if zero_gpu { " (ZeroGPU)" } else { "" }));
    out.push_str(&format!(
        "  sdk:       {}{}\n",
        info.sdk.as_deref().unwrap_or("?"),
        info.sdk_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default()
    ));
    out.push_str(&format!("  host:      {}\n", info.host.as_ref().map(|h| h.as_str()).unwrap_or("none")));
    out.push_str(&format!("  private:   {}\n", if info.private { "yes" } else { "no" }));
    out.push_str(&format!("  likes:     {}\n", info.likes.unwrap_or(0)));
    p.out(&out);
    Ok(())
}
