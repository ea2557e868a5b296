//! `hfs api SPACE`: what an app's endpoints take and return.

use hfs_gradio::{Client, Endpoint, Visibility, describe_endpoint};
use serde_json::Value;

use crate::cli::{ApiArgs, GlobalArgs};
use crate::connect::connect;
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &ApiArgs) -> Result<(), CliError> {
    let client = connect(global, p, &args.connect).await?;
    let shown: Vec<&Endpoint> = client
        .endpoints()
        .iter()
        .filter(|e| e.visibility == Visibility::Public || (args.all && e.visibility == Visibility::Undocumented))
        .collect();
    if p.json() {
        p.doc(&hfs_schema::ApiDoc {
            schema: hfs_schema::ApiDoc::SCHEMA.into(),
            target: args.connect.target.clone(),
            url: client.base_url().to_string(),
            gradio_version: client.config().version.clone(),
            protocol: client.protocol().as_str().into(),
            endpoints: shown.iter().map(|e| describe_endpoint(e)).collect(),
        });
    } else {
        p.out(&as_text(&client, &args.connect.target, &shown));
    }
    Ok(())
}

fn as_text(client: &Client, target: &str, endpoints: &[&Endpoint]) -> String {
    let mut out = format!("{target} — Gradio {} ({}) at {}\n", client.config().version, client.protocol(), client.base_url());
    if endpoints.is_empty() {
        out.push_str("\nNo public endpoints.\n");
    }
    for e in endpoints {
        out.push('\n');
        let mut head = e.display_name();
        if e.generator {
            head.push_str("  (streams outputs)");
        }
        if e.visibility == Visibility::Undocumented {
            head.push_str("  (undocumented)");
        }
        out.push_str(&head);
        out.push('\n');
        if let Some(d) = &e.description {
            out.push_str(&format!("  {d}\n"));
        }
        match &e.parameters {
            None => out.push_str("  parameters: unknown (positional only)\n"),
            Some(ps) if ps.is_empty() => out.push_str("  no parameters\n"),
            Some(ps) => {
                let rows: Vec<[String; 4]> = ps
                    .iter()
                    .map(|p| {
                        let ty = p.python_type.clone().unwrap_or_else(|| "any".into());
                        let ty = if ty.len() > 40 {
                            format!("{}…", &ty[..ty.char_indices().nth(39).map(|(i, _)| i).unwrap_or(ty.len())])
                        } else {
                            ty
                        };
                        let req = if p.has_default {
                            format!("default {}", short(p.default.as_ref().unwrap_or(&Value::Null)))
                        } else {
                            "required".into()
                        };
                        let extra = match p.choices() {
                            Some(c) => format!("one of: {}", c.iter().map(short).collect::<Vec<_>>().join(", ")),
                            None => p.component.clone().unwrap_or_default(),
                        };
                        [p.display_name(), ty, req, extra]
                    })
                    .collect();
                out.push_str(&table(&rows, "  "));
            }
        }
        for (i, r) in e.returns.iter().enumerate() {
            let label = r.label.clone().unwrap_or_else(|| format!("output {i}"));
            let ty = r.python_type.clone().unwrap_or_else(|| "any".into());
            out.push_str(&format!("  → {label}: {ty}{}\n", r.component.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()));
        }
    }
    out
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if s.chars().count() > 40 { format!("{}…", s.chars().take(39).collect::<String>()) } else { s }
}

fn table(rows: &[[String; 4]], indent: &str) -> String {
    let mut widths = [0usize; 4];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    rows.iter()
        .map(|r| {
            let mut line = indent.to_string();
            for (i, c) in r.iter().enumerate() {
                line.push_str(c);
                if i < 3 {
                    line.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
                }
            }
            format!("{}\n", line.trim_end())
        })
        .collect()
}
