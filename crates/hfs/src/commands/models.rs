//! `hfs models`: the router's chat models.

use serde_json::Value;

use crate::cli::{GlobalArgs, ModelsArgs};
use crate::env;
use crate::exit::CliError;
use crate::printer::Printer;
use crate::table;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &ModelsArgs) -> Result<(), CliError> {
    let (hub, _) = env::hub_client(global.token.as_deref(), p).await?;
    let mut models = hub.router_models().await.map_err(CliError::Hub)?;
    if let Some(f) = &args.filter {
        let f = f.to_lowercase();
        models.retain(|m| m.id.to_lowercase().contains(&f));
    }
    if p.json() {
        p.doc(&hfs_schema::ModelsDoc { schema: hfs_schema::ModelsDoc::SCHEMA.into(), models: models.into_iter().map(|m| m.raw).collect() });
        return Ok(());
    }
    let mut t = table::new(&["MODEL", "PROVIDER", "STATUS", "CONTEXT", "$/M IN", "$/M OUT", "1ST TOKEN", "TOK/S"]);
    for m in &models {
        for (i, entry) in m.providers.iter().enumerate() {
            let s = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let n = |k: &str| entry.get(k).and_then(Value::as_f64).map(fmt_num).unwrap_or_default();
            let price =
                |k: &str| entry.pointer(&format!("/pricing/{k}")).and_then(Value::as_f64).map(|v| format!("{v:.2}")).unwrap_or_default();
            t.add_row(vec![
                if i == 0 { m.id.clone() } else { String::new() },
                s("provider"),
                s("status"),
                n("context_length"),
                price("input"),
                price("output"),
                entry.get("first_token_latency_ms").and_then(Value::as_f64).map(|v| format!("{}ms", v.round())).unwrap_or_default(),
                n("throughput"),
            ]);
        }
    }
    table::print(p, &t);
    Ok(())
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 { format!("{}", v as i64) } else { format!("{v:.1}") }
}
