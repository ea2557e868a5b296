//! `hfs space info SPACE`.

use serde_json::json;

use crate::cli::{GlobalArgs, SpaceCommand};
use crate::env;
use crate::exit::CliError;

pub async fn run(global: &GlobalArgs, cmd: &SpaceCommand) -> Result<(), CliError> {
    let SpaceCommand::Info { space, json } = cmd;
    let (hub, _) = env::hub_client(global.token.as_deref()).await?;
    let info = hub.space_info(space).await.map_err(CliError::Hub)?;
    let stage = info.runtime.as_ref().map(|r| r.stage.to_string());
    let hardware = info.runtime.as_ref().and_then(|r| r.hardware.clone().or(r.requested_hardware.clone()));
    let zero_gpu = hardware.as_deref().is_some_and(|h| h.starts_with("zero"));
    if json.json {
        println!(
            "{}",
            json!({"schema": "hfs.space/1", "id": info.id, "stage": stage, "hardware": hardware, "zero_gpu": zero_gpu,
                   "sdk": info.sdk, "sdk_version": info.sdk_version, "host": info.host.as_ref().map(|h| h.as_str()),
                   "private": info.private, "likes": info.likes,
                   "error_message": info.runtime.as_ref().and_then(|r| r.error_message.clone())})
        );
        return Ok(());
    }
    println!("{}", info.id);
    println!("  stage:     {}", stage.as_deref().unwrap_or("unknown"));
    if let Some(msg) = info.runtime.as_ref().and_then(|r| r.error_message.as_ref()) {
        println!("  error:     {msg}");
    }
    println!("  hardware:  {}{}", hardware.as_deref().unwrap_or("unknown"), if zero_gpu { " (ZeroGPU)" } else { "" });
    println!(
        "  sdk:       {}{}",
        info.sdk.as_deref().unwrap_or("?"),
        info.sdk_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default()
    );
    println!("  host:      {}", info.host.as_ref().map(|h| h.as_str()).unwrap_or("none"));
    println!("  private:   {}", if info.private { "yes" } else { "no" });
    println!("  likes:     {}", info.likes.unwrap_or(0));
    Ok(())
}
