//! Gradio 3.x against real servers (`tests/spaces/apps/legacy3.py`): the websocket queue
//! (`send_hash`, `send_data`, `estimation`, `process_*`), `POST /run/predict` for a `queue=False`
//! listener, 3.x files in (uploaded `{name, is_file: true}`; an Image inline as a `data:` URL) and out
//! (`/file=` paths and base64 images written to disk), named arguments from the labels, defaults
//! from the config, gr.Error, cancellation, a password app and a full queue; on 3.50.2 and 3.41.2.

use std::time::Duration;

use hfs_gradio::{Args, Client, ClientOptions, EndpointRef, Error, Event};
use hfs_testkit::SpaceServer;
use serde_json::json;

/// The 3.x lines tested: the last one and an older one.
const VERSIONS: [&str; 2] = ["3.50.2", "3.41.2"];

fn server(version: &'static str) -> &'static SpaceServer {
    static S: std::sync::OnceLock<std::collections::HashMap<&'static str, SpaceServer>> = std::sync::OnceLock::new();
    let all = S.get_or_init(|| {
        // Both versions start at once: each takes seconds.
        let started: Vec<_> =
            VERSIONS.iter().map(|v| std::thread::spawn(move || (*v, SpaceServer::start(v, &["legacy3", "auth", "queue1"])))).collect();
        started.into_iter().map(|h| h.join().unwrap()).collect()
    });
    &all[version]
}

async fn url(version: &'static str, app: &'static str) -> String {
    tokio::task::spawn_blocking(move || server(version).url(app).to_string()).await.unwrap()
}

async fn connect(version: &'static str, app: &'static str, options: ClientOptions) -> Result<Client, Error> {
    let url = url(version, app).await;
    tokio::time::timeout(Duration::from_secs(30), Client::connect(&url, options)).await.expect("connect in time")
}

async fn client(version: &'static str) -> Client {
    connect(version, "legacy3", ClientOptions::default()).await.unwrap()
}

fn ep(name: &str) -> EndpointRef {
    EndpointRef::Name(name.into())
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_by_name_position_and_default() {
    for v in VERSIONS {
        let c = client(v).await;
        assert_eq!(c.protocol().as_str(), "ws", "{v}");
        let greet = c.endpoint(&ep("/greet")).unwrap();
        let names: Vec<Option<&str>> = greet.parameters.as_ref().unwrap().iter().map(|p| p.name.as_deref()).collect();
        assert_eq!(names, [Some("name"), Some("greeting")], "3.x parameters are named from their labels");
        let out = c.predict(&ep("/greet"), &Args::new().kwarg("name", "Ann")).await.unwrap();
        assert_eq!(out.values, [json!("Hello, Ann.")], "the default comes from the config");
        let out = c.predict(&ep("/greet"), &Args::new().arg("Bo").arg("Hi")).await.unwrap();
        assert_eq!(out.values, [json!("Hi, Bo.")]);
        // queue=False: POST /run/predict.
        let out = c.predict(&ep("/unqueued"), &Args::new().arg("z")).await.unwrap();
        assert_eq!(out.values, [json!("unqueued z")]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_generator_streams_with_progress() {
    for v in VERSIONS {
        let c = client(v).await;
        let mut job = c.submit(&ep("/count"), &Args::new().kwarg("n", 4), Default::default()).unwrap();
        let (mut outputs, mut progress, mut queued) = (vec![], 0, false);
        let done = loop {
            match job.next_event().await.expect("a terminal event") {
                Event::Queued { .. } => queued = true,
                Event::Progress(units) => {
                    assert_eq!(units[0].desc.as_deref(), Some("counting"));
                    progress += 1;
                }
                Event::Output(o) => outputs.push(o.values[0].clone()),
                Event::Completed(o) => break o,
                Event::Failed(e) => panic!("{e}"),
                _ => {}
            }
        };
        assert!(queued, "estimation becomes a queued event");
        assert!(progress >= 1, "no progress events");
        assert_eq!(outputs, [json!("0"), json!("01"), json!("012"), json!("0123")], "intermediate values are whole");
        assert_eq!(done.values, [json!("0123")]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_arrive_as_events() {
    for v in VERSIONS {
        let c = client(v).await;
        let mut job = c.submit(&ep("/notify"), &Args::new().arg("x"), Default::default()).unwrap();
        let mut logs = vec![];
        while let Some(ev) = job.next_event().await {
            match ev {
                Event::Log { level, message, .. } => logs.push((level, message)),
                Event::Completed(o) => assert_eq!(o.values, [json!("x")], "{v}"),
                Event::Failed(e) => panic!("{v}: {e}"),
                _ => {}
            }
        }
        assert_eq!(
            logs,
            [(hfs_gradio::LogLevel::Info, "info: x".to_string()), (hfs_gradio::LogLevel::Warning, "careful: x".to_string())],
            "{v}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn app_errors_are_typed() {
    for v in VERSIONS {
        let c = client(v).await;
        match c.predict(&ep("/fail"), &Args::new().arg("x")).await {
            Err(e @ Error::App { .. }) => assert!(e.to_string().contains("Boom: x"), "{e}"),
            other => panic!("expected an app error, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn files_in_and_out() {
    for v in VERSIONS {
        let c = client(v).await;
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.txt");
        std::fs::write(&input, b"hello 3.x\n").unwrap();
        let sha = hfs_testkit::sha256_hex(&input);
        let out = c.predict(&ep("/file_in"), &Args::new().arg(hfs_gradio::local_file(&input))).await.unwrap();
        assert_eq!(out.values, [json!(format!("in.txt:10:{sha}"))], "uploaded and sent as a 3.x file");

        // A File output (a server path) and an Image output (a base64 data URL), saved to disk.
        let e = c.endpoint(&ep("/file_out")).unwrap().clone();
        let out = c.predict(&ep("/file_out"), &Args::new().arg("abc")).await.unwrap();
        let saved = c.save_outputs(&e, &out.values, dir.path(), true).await.unwrap();
        assert_eq!(std::fs::read_to_string(&saved.files[0]).unwrap(), "abc");
        let e = c.endpoint(&ep("/image_out")).unwrap().clone();
        let out = c.predict(&ep("/image_out"), &Args::new().arg(3)).await.unwrap();
        assert!(out.values[0]["url"].as_str().unwrap().starts_with("data:image/png;base64,"), "{}", out.values[0]);
        let saved = c.save_outputs(&e, &out.values, dir.path(), true).await.unwrap();
        let png = std::fs::read(&saved.files[0]).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "decoded to a PNG file");
        assert!(saved.files[0].extension().is_some_and(|x| x == "png"));

        // An Image input goes inline (3.x decodes base64 for it): the picture just made.
        let out = c.predict(&ep("/image_in"), &Args::new().arg(hfs_gradio::local_file(&saved.files[0]))).await.unwrap();
        assert_eq!(out.values, [json!("16x16")]);

        // A gallery: [file, caption] pairs, every file saved.
        let e = c.endpoint(&ep("/gallery")).unwrap().clone();
        let out = c.predict(&ep("/gallery"), &Args::new().arg(2)).await.unwrap();
        let saved = c.save_outputs(&e, &out.values, dir.path(), true).await.unwrap();
        assert_eq!(saved.files.len(), 2, "{:?}", out.values);
        assert_eq!(out.values[0][1][1], "caption 1");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_stops_the_job_on_the_server() {
    for v in VERSIONS {
        let c = client(v).await;
        let token = format!("t{}", std::process::id());
        let mut job = c.submit(&ep("/ticker"), &Args::new().arg(token.as_str()), Default::default()).unwrap();
        let mut outputs = 0;
        while outputs < 3 {
            if let Some(Event::Output(_)) = job.next_event().await {
                outputs += 1;
            }
        }
        job.cancel();
        let mut last = None;
        while let Some(ev) = job.next_event().await {
            last = Some(ev);
        }
        assert!(matches!(last, Some(Event::Failed(Error::Cancelled))), "{last:?}");
        tokio::time::sleep(Duration::from_millis(800)).await;
        let a = c.predict(&ep("/ticks"), &Args::new().arg(token.as_str())).await.unwrap().values[0].as_f64().unwrap();
        tokio::time::sleep(Duration::from_millis(800)).await;
        let b = c.predict(&ep("/ticks"), &Args::new().arg(token.as_str())).await.unwrap().values[0].as_f64().unwrap();
        assert_eq!(a, b, "the ticker went on after the cancel");
        assert!(a < 30.0, "{a}");
    }
}

/// A password app (`auth=`): the login's cookie goes on the websocket handshake too.
#[tokio::test(flavor = "multi_thread")]
async fn a_password_app_over_the_websocket() {
    for v in VERSIONS {
        match connect(v, "auth", ClientOptions::default()).await {
            Err(Error::AuthRequired { .. }) => {}
            other => panic!("{v}: expected AuthRequired, got {other:?}"),
        }
        let bad = ClientOptions { auth: Some(("user".into(), "wrong".into())), ..Default::default() };
        assert!(matches!(connect(v, "auth", bad).await, Err(Error::BadCredentials)), "{v}");
        let good = ClientOptions { auth: Some(("user".into(), "pass".into())), ..Default::default() };
        let c = connect(v, "auth", good).await.unwrap();
        let out = c.predict(&ep("/echo"), &Args::new().arg("hi")).await.unwrap();
        assert_eq!(out.values, [json!("hi")], "{v}");
    }
}

/// A full queue (`max_size=1`, one worker): the third call is refused with `queue_full`.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_queue_is_queue_full() {
    for v in VERSIONS {
        let c = connect(v, "queue1", ClientOptions::default()).await.unwrap();
        let running = c.submit(&ep("/wait"), &Args::new().arg(3), Default::default()).unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let queued = c.submit(&ep("/wait"), &Args::new().arg(3), Default::default()).unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let third = c.predict(&ep("/wait"), &Args::new().arg(0)).await;
        match third {
            Err(e @ Error::QueueFull { .. }) => assert!(e.action() != hfs_gradio::Action::GiveUp, "{v}: queue full may pass"),
            other => panic!("{v}: expected QueueFull, got {other:?}"),
        }
        assert_eq!(running.result().await.unwrap().values, [json!("waited")], "{v}");
        assert_eq!(queued.result().await.unwrap().values, [json!("waited")], "{v}");
    }
}
