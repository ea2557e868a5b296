//! Command-line definitions (clap).

use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "hfs",
    version,
    about = "Hugging Face Spaces and Inference Providers from the command line: call any Gradio app, generate images, video, speech and text.",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Hugging Face token (else $HF_TOKEN, $HUGGING_FACE_HUB_TOKEN, or the token file). A token given
    /// here is sent to the target even if it is not a Hugging Face host.
    #[arg(long, global = true, value_name = "TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Log debug information to stderr (-vv for more). The token is never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print JSON on stdout instead of text: one document (its `schema` field names it), or an
    /// hfs.error/1 document when the command fails.
    #[arg(long, global = true)]
    pub json: bool,
    /// Nothing on stderr but errors: no progress, status, log or warning lines.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show the API of a Space or Gradio app: endpoints, parameters, defaults, return values.
    Api(ApiArgs),
    /// Call an endpoint of a Space or Gradio app and save its output files.
    Call(CallArgs),
    /// Log in, log out, or show who the token belongs to (shares the login with the `hf` CLI).
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Information about a Space.
    #[command(subcommand)]
    Space(SpaceCommand),
    /// Your ZeroGPU quota: the allowance, what remains, when it resets.
    Quota,
    /// Find Spaces or models.
    #[command(subcommand)]
    Search(SearchCommand),
    /// Chat models served by Inference Providers, with providers, context length, prices, latency.
    Models(ModelsArgs),
    /// The Space presets in effect: how known Spaces take each option (built in, then yours).
    Presets,
    /// Finish a batch run: every item of DIR's manifest that is not done, with its own inputs and
    /// seeds (a done item is never run again).
    Resume(ResumeArgs),
    /// Run a pipeline from a TOML file: steps on Spaces and providers that take earlier steps'
    /// outputs ({{ steps.NAME.files[0] }}), fan-out, fallbacks, as a DAG with the batch
    /// scheduler's retries and exactly-once resume.
    Run(RunArgs),
    /// Write DIR/index.html: one self-contained page showing every item of DIR's manifest
    /// (thumbnails, players, prompts, seeds, backends, failures), with a filter.
    Gallery(GalleryArgs),
    /// Generate an image from a prompt (with --image: edit an image) on any Space or provider.
    Image(ImageArgs),
    /// Generate a video from a prompt (with --image: animate an image) on any Space or provider.
    Video(VideoArgs),
    /// Turn text into speech on any Space or provider.
    Speech(SpeechArgs),
    /// Transcribe an audio file on any Space or provider.
    Transcribe(TranscribeArgs),
    /// Chat with a model through Inference Providers; the answer is streamed to stdout.
    Chat(ChatArgs),
    /// Serve MCP (stdio, or Streamable HTTP with --http): generation, Space and model search, and
    /// any Space's endpoints as tools for agents; files saved locally, inputs read only from
    /// allowed directories.
    Mcp(McpArgs),
}

#[derive(Args, Debug)]
pub struct McpArgs {
    /// Serve Streamable HTTP at http://ADDR/mcp instead of stdio. ADDR is PORT (on 127.0.0.1)
    /// or HOST:PORT; port 0 picks a free one (the URL is printed on stdout).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<String>,
    /// With --http: also accept requests whose Host header is HOST (repeatable). Loopback names
    /// are always accepted, others never unless listed (DNS-rebinding guard).
    #[arg(long = "allowed-host", value_name = "HOST", requires = "http")]
    pub allowed_hosts: Vec<String>,
    /// Expose a Space's endpoints as tools of their own: OWNER/NAME (every public endpoint),
    /// OWNER/NAME/ENDPOINT, or a Gradio app URL (repeatable).
    #[arg(long = "space", value_name = "SPACE")]
    pub spaces: Vec<String>,
    /// A directory whose files tools may read and upload (repeatable; default: the working
    /// directory). The roots the MCP client declares are added.
    #[arg(long = "allow-dir", value_name = "DIR")]
    pub allow_dirs: Vec<std::path::PathBuf>,
    /// Where outputs and hfs-manifest.jsonl go.
    #[arg(short = 'o', long = "output-dir", value_name = "DIR", default_value = "hfs-output")]
    pub output_dir: std::path::PathBuf,
    /// Also return images inline (base64), each up to --inline-max bytes.
    #[arg(long)]
    pub inline_images: bool,
    /// The largest image returned inline.
    #[arg(long, value_name = "BYTES", default_value_t = 1_048_576, requires = "inline_images")]
    pub inline_max: u64,
    /// Give up on one backend attempt after this long (the job is cancelled on the server).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// How often a running job reports progress when nothing else happens (at most 15s).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5s")]
    pub heartbeat: Duration,
    /// Bill provider calls to this organization (X-HF-Bill-To).
    #[arg(long, value_name = "ORG")]
    pub bill_to: Option<String>,
}

/// What runs a generation: flags shared by `image`, `video`, `speech`, `transcribe` and `chat`.
/// Kept backend-neutral: `--model` picks an Inference Providers model today.
#[derive(Args, Debug, Clone)]
pub struct InferArgs {
    /// Model id on the Hub (owner/name), run through Inference Providers. With neither --model nor
    /// --space, the task's default backends are used.
    #[arg(short, long, value_name = "ID")]
    pub model: Option<String>,
    /// Inference provider (fal-ai, replicate, together, hf-inference, …) or `auto`: the first
    /// provider serving the model, in your preference order on the Hub.
    #[arg(short, long, value_name = "PROVIDER", default_value = "auto")]
    pub provider: String,
    /// An extra argument by the backend's own name, `name=value` (repeatable): on a Space coerced
    /// to the parameter's schema like `hfs call`; for a provider read as JSON when it parses
    /// (`steps=30`, `loop=true`, `size={"w":512}`), else as a string.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Give up after this long (e.g. 90s, 5m), cancelling the provider's job where it has a
    /// cancel API. Exit code 124.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// How often a request answered 429, 502, 503 or 504 (or a dropped connection) is retried.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// How often asynchronous jobs are polled (default: each provider's usual interval).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub poll_interval: Option<Duration>,
    /// The provider's own API key: the call goes to the provider directly, not through the
    /// router (else the provider's usual variable, e.g. FAL_KEY, REPLICATE_API_TOKEN,
    /// TOGETHER_API_KEY). Needs --provider.
    #[arg(long, value_name = "KEY", hide_env_values = true)]
    pub provider_key: Option<String>,
    /// Bill the call to this organization (X-HF-Bill-To).
    #[arg(long, value_name = "ORG")]
    pub bill_to: Option<String>,
}

/// Where generated files go.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Directory for output files and their hfs-manifest.jsonl (default: current directory).
    /// Files are named `{task}-{prompt}-{seed}` (`image-a-red-fox-7.png`, then `…-7-2.png`);
    /// nothing is ever overwritten.
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    pub output_dir: std::path::PathBuf,
}

/// Generation on any Space (or provider) without knowing its API.
#[derive(Args, Debug, Clone, Default)]
pub struct GenArgs {
    /// Run on this Space (owner/name or a Gradio app URL): hfs picks the endpoint and maps the options
    /// onto its parameters.
    #[arg(long, value_name = "SPACE")]
    pub space: Option<String>,
    /// The Space endpoint to use instead of the best fitting one (e.g. /generate).
    #[arg(long, value_name = "/NAME", requires = "space")]
    pub endpoint: Option<String>,
    /// Seed (hfs draws one when not given, so every output is reproducible).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Width in pixels.
    #[arg(long, value_name = "W")]
    pub width: Option<u32>,
    /// Height in pixels.
    #[arg(long, value_name = "H")]
    pub height: Option<u32>,
    /// Width and height as WxH (e.g. 1344x768).
    #[arg(long, value_name = "WxH", conflicts_with_all = ["width", "height"])]
    pub size: Option<String>,
    /// Aspect ratio W:H (e.g. 16:9), keeping the default area.
    #[arg(long, value_name = "W:H")]
    pub aspect: Option<String>,
    /// Inference steps.
    #[arg(long, value_name = "N")]
    pub steps: Option<u32>,
    /// Guidance scale.
    #[arg(long, value_name = "X")]
    pub guidance: Option<f64>,
    /// Negative prompt: what the output should not show.
    #[arg(long, value_name = "TEXT")]
    pub negative: Option<String>,
    /// Duration in seconds (video, speech).
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Voice or voice description (speech).
    #[arg(long, value_name = "TEXT")]
    pub voice: Option<String>,
    /// Language.
    #[arg(long, value_name = "L")]
    pub language: Option<String>,
    /// Print the plan (endpoint, every argument and where it came from, warnings) and call nothing.
    #[arg(long)]
    pub explain: bool,
    /// Backends to try, in order, when one cannot serve (out of quota, paused, queue full, not served):
    /// space:OWNER/NAME[/endpoint], model:ID[@provider], a Space id, or `auto` (the task's defaults).
    #[arg(long, value_name = "B1,B2,…", value_delimiter = ',')]
    pub fallback: Vec<String>,
}

/// Many generations in one run: copies, prompt files, variations; concurrency, retries, shards.
/// Every item is recorded in DIR/hfs-manifest.jsonl, so `hfs resume DIR` finishes a run that
/// stopped, exactly once.
#[derive(Args, Debug, Clone, Default)]
pub struct BatchArgs {
    /// Make N of each (distinct seeds, drawn up front and recorded; with --seed S: S, S+1, …).
    #[arg(short = 'n', long = "count", value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub count: u32,
    /// One item per line of FILE: a prompt, or a JSON object with the prompt and any per-item
    /// options (`{"prompt": "…", "steps": 4, "aspect": "16:9"}`). `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    pub prompts: Option<std::path::PathBuf>,
    /// Run every value of an option (KEY=V1,V2,…; repeatable, the run is every combination): KEY is
    /// an option without dashes (aspect, steps, voice, seed, …) or a parameter of the Space.
    #[arg(long, value_name = "KEY=V1,V2,…")]
    pub vary: Vec<String>,
    /// Calls in flight at once (default: sized to the backend; one on ZeroGPU Spaces).
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,
    /// Attempts per item for failures that may pass (rate limits, 5xx, queue full, dropped
    /// connections); waiting for an unreachable Space or a quota reset spends none.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub attempts: u32,
    /// Stop the run after this long (calls in flight are cancelled and recorded; resume later).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_time: Option<Duration>,
    /// Run only the items of shard K of N (by item key: shards of one plan never overlap).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Out of ZeroGPU quota: wait for the reset and go on, even for a single generation.
    #[arg(long)]
    pub wait_quota: bool,
    /// At the end, write the run's gallery (DIR/index.html) and print its path.
    #[arg(long)]
    pub gallery: bool,
}

#[derive(Args, Debug)]
pub struct GalleryArgs {
    /// A run's directory (where hfs-manifest.jsonl is).
    pub dir: std::path::PathBuf,
    /// Open the page in the default browser.
    #[arg(long)]
    pub open: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The pipeline file (TOML; see the README's pipeline reference).
    pub pipeline: std::path::PathBuf,
    /// The run's directory: files and hfs-manifest.jsonl (default: the file's name without
    /// .toml, in the working directory). Running the same pipeline into it again finishes it.
    #[arg(short, long, value_name = "DIR")]
    pub output_dir: Option<std::path::PathBuf>,
    /// Set a var (replacing the file's value or list). Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Print the DAG and every step's plan (endpoint, arguments and where they come from);
    /// call nothing but the Spaces' APIs.
    #[arg(long)]
    pub explain: bool,
    /// Continue the run in DIR (it must hold a run of a pipeline); the same as running the same
    /// file into DIR again.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub run: RunFlags,
}

/// The flags a run and a resume share.
#[derive(Args, Debug, Clone)]
pub struct RunFlags {
    /// Calls in flight at once (default: sized to the backend).
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,
    /// Attempts per item for failures that may pass.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub attempts: u32,
    /// Stop after this long (resume again later).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_time: Option<Duration>,
    /// Give up on one call after this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Finish only the items of shard K of N.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// The provider's own API key, for items on a provider (as for the generation commands).
    #[arg(long, value_name = "KEY", hide_env_values = true)]
    pub provider_key: Option<String>,
    /// Bill provider calls to this organization (X-HF-Bill-To).
    #[arg(long, value_name = "ORG")]
    pub bill_to: Option<String>,
    /// At the end, write the run's gallery (DIR/index.html) and print its path.
    #[arg(long)]
    pub gallery: bool,
}

#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// The run's directory (where hfs-manifest.jsonl is).
    pub dir: std::path::PathBuf,
    #[command(flatten)]
    pub run: RunFlags,
}

#[derive(Args, Debug)]
pub struct ImageArgs {
    /// What the image should show (or, with --image, how to change it).
    #[arg(required_unless_present = "prompts", conflicts_with = "prompts")]
    pub prompt: Option<String>,
    /// Input image: image-to-image instead of text-to-image.
    #[arg(long, value_name = "FILE")]
    pub image: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub generation: GenArgs,
    #[command(flatten)]
    pub run: InferArgs,
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Args, Debug)]
pub struct VideoArgs {
    /// What the video should show.
    #[arg(required_unless_present = "prompts", conflicts_with = "prompts")]
    pub prompt: Option<String>,
    /// Input image: image-to-video instead of text-to-video.
    #[arg(long, value_name = "FILE")]
    pub image: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub generation: GenArgs,
    #[command(flatten)]
    pub run: InferArgs,
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Args, Debug)]
pub struct SpeechArgs {
    /// The text to speak.
    #[arg(required_unless_present = "prompts", conflicts_with = "prompts")]
    pub text: Option<String>,
    #[command(flatten)]
    pub generation: GenArgs,
    #[command(flatten)]
    pub run: InferArgs,
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Args, Debug)]
pub struct TranscribeArgs {
    /// The audio file (flac, wav, mp3, …).
    #[arg(required_unless_present = "prompts", conflicts_with = "prompts")]
    pub audio: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub generation: GenArgs,
    #[command(flatten)]
    pub run: InferArgs,
    #[command(flatten)]
    pub batch: BatchArgs,
    /// Directory for the manifest of a batch (transcripts go to stdout).
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    pub output_dir: std::path::PathBuf,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct ChatArgs {
    /// The user's message.
    pub prompt: String,
    /// A system message sent first.
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// The most tokens to generate.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u64>,
    /// Sampling temperature.
    #[arg(long, value_name = "T")]
    pub temperature: Option<f64>,
    /// Wait for the whole answer instead of streaming it.
    #[arg(long)]
    pub no_stream: bool,
    /// Chat with this Space's chat endpoint instead (a `gr.ChatInterface` is found whatever its
    /// endpoint is named).
    #[arg(long, value_name = "SPACE")]
    pub space: Option<String>,
    /// The Space endpoint to use instead of the best fitting one.
    #[arg(long, value_name = "/NAME", requires = "space")]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub run: InferArgs,
}

#[derive(Subcommand, Debug)]
pub enum AuthCommand {
    /// Who the token belongs to and where it came from (never the token itself).
    Status,
    /// Save a token (prompted with hidden input on a terminal, else read from stdin; or --token).
    Login {
        /// Save under this name instead of the token's own name.
        #[arg(long)]
        token_name: Option<String>,
    },
    /// Remove the saved token.
    Logout {
        /// Remove this saved token instead of the active one.
        #[arg(long)]
        token_name: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SpaceCommand {
    /// Stage, hardware, SDK, host, privacy and likes of a Space.
    Info {
        /// Space id (owner/name).
        space: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SearchCommand {
    /// Semantic search over Gradio Spaces (running ones unless --all).
    Spaces {
        /// What the Space should do, in words.
        query: Option<String>,
        /// A category instead of a query (image-generation, video-generation, text-generation,
        /// speech-synthesis, music-generation, voice-cloning, image-editing, background-removal,
        /// image-upscaling, ocr, style-transfer, image-captioning).
        #[arg(long, value_name = "SLUG")]
        category: Option<String>,
        /// Include Spaces that are not running.
        #[arg(long)]
        all: bool,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Models served by Inference Providers for a task.
    Models {
        /// Words to look for in the model id.
        query: Option<String>,
        /// Pipeline tag, e.g. text-to-image, text-to-video, text-to-speech.
        #[arg(long, value_name = "TASK")]
        task: String,
        /// Only models this provider serves (`all` for any provider).
        #[arg(long, default_value = "all")]
        provider: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

#[derive(Args, Debug)]
pub struct ModelsArgs {
    /// Only models whose id contains this.
    pub filter: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ConnectArgs {
    /// Space id (owner/name) or URL of a Gradio app.
    #[arg(value_name = "SPACE")]
    pub target: String,
    /// Username and password for apps launched with `auth=` (USER:PASS). Prompted on a terminal if needed.
    #[arg(long, value_name = "USER:PASS")]
    pub auth: Option<String>,
    /// Extra header for the app ('Name: value'; repeatable), sent to its origin only.
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// How long to wait for a sleeping or starting Space (e.g. 5m; 0 fails at once).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10m")]
    pub wait: Duration,
}

#[derive(Args, Debug)]
pub struct ApiArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Also list undocumented endpoints.
    #[arg(long)]
    pub all: bool,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct CallArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// [/ENDPOINT] then arguments: `name=value` (keyword) or `value` (positional). `@path` or
    /// `@https://…` is a file (`@@` for a literal `@`), `name=@a.png,@b.png` a list of files.
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
    /// Arguments after `--` are positional, exactly as written.
    #[arg(last = true, value_name = "RAW")]
    pub raw: Vec<String>,
    /// Select an endpoint by index instead of name.
    #[arg(long, value_name = "N")]
    pub fn_index: Option<usize>,
    /// Directory for output files (default: current directory).
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    pub output_dir: std::path::PathBuf,
    /// Print one JSON line per event (schema hfs.event/1); the last one is the --json object.
    #[arg(long)]
    pub stream: bool,
    /// Do not download output files; print their URLs.
    #[arg(long)]
    pub no_download: bool,
    /// Give up after this long (e.g. 90s, 5m), cancelling the job on the server. Exit code 124.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>()
        && secs >= 0.0
        && secs.is_finite()
    {
        return Duration::try_from_secs_f64(secs).map_err(|_| format!("`{s}` seconds is longer than hfs can wait"));
    }
    humantime::parse_duration(s).map_err(|e| format!("`{s}` is not a duration like 30s, 5m or 1h30m ({e})"))
}
