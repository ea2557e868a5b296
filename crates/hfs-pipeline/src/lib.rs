//! Pipelines of Spaces and providers from a TOML file (`hfs run`): steps that take earlier
//! steps' outputs (`{{ steps.picture.files[0] }}`), fan-out (`n = 2`; a list var runs the whole
//! pipeline once per value), fallbacks per step, run as a DAG on the batch scheduler with its
//! manifest, retries and exactly-once resume.
//!
//! * [`compile`] reads and checks a file before anything runs: unknown tasks and options,
//!   references to missing steps or vars, outputs a step cannot give, cycles, bad values — all of
//!   them at once, each with its line and column ([`Diagnostic`]).
//! * [`Walker`] is the run's [`hfs_batch::Follow`]: it starts the steps that take from none, and
//!   as each item ends, plans the items of later steps that can now run (or records why they
//!   will not). Keys come from the step's definition, its instance and the keys of the items it
//!   takes, never from paths or drawn seeds, so a resume (or the same file run again) finds
//!   every item it did and runs only the rest.
//!
//! ```
//! use hfs_pipeline::compile;
//! let file = r#"
//! [vars]
//! prompt = ["a red fox", "a lighthouse"]
//!
//! [steps.picture]
//! task = "image"
//! space = "owner/image-app"
//! prompt = "{{ prompt }}"
//! n = 2
//!
//! [steps.clip]
//! task = "video"
//! space = "owner/video-app"
//! image = "{{ steps.picture.files[0] }}"
//! prompt = "slow push-in"
//! "#;
//! let p = compile(file, "demo.toml", std::path::Path::new("."), &[], &|_| vec![]).unwrap();
//! assert_eq!(p.instances().len(), 2);
//! assert_eq!(p.runs_per_instance("clip"), 2); // one clip per picture
//! let bad = file.replace("slow push-in", "{{ steps.picture.text }}");
//! let e = compile(&bad, "demo.toml", std::path::Path::new("."), &[], &|_| vec![]).unwrap_err();
//! assert!(e.to_string().contains("demo.toml:15:11: step `picture` is an image step: it gives no text"), "{e}");
//! ```

mod error;
mod parse;
pub mod template;
mod walk;

pub use error::{Diagnostic, PipelineError};
pub use parse::{Pipeline, Step, Template, Var, compile, gives, keys_of};
pub use walk::{Instance, Walker};
