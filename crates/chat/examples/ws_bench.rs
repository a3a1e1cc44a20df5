//! WebSocket figures for `make bench` (`.ci/bench.sh` starts the gateways and
//! passes what this needs in the environment):
//!
//! - fan-out latency: from just before an owner's `POST …/messages` to the
//!   `message.created` frame on a clinic desk's socket, one message at a time,
//!   with the socket on the same gateway (`BENCH_BASE`) and on another one
//!   (`BENCH_BASE_B`), sharing Postgres and Redis;
//! - idle sockets: `BENCH_IDLE_SOCKETS` sockets opened on one gateway (pid
//!   `BENCH_PID`) and held, with that gateway's resident memory before and after.

#![expect(clippy::expect_used, clippy::panic, clippy::print_stdout, reason = "a benchmark program")]

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

async fn open(client: &reqwest::Client, base: &str, token: &str) -> Socket {
    let issued: Value = client
        .post(format!("{base}/api/v1/chat/ws-ticket"))
        .bearer_auth(token)
        .send()
        .await
        .expect("a ticket")
        .json()
        .await
        .expect("a ticket body");
    let ticket = issued["ticket"].as_str().expect("a ticket in the body");
    let url = format!("{}/api/v1/chat/ws?ticket={ticket}", base.replacen("http", "ws", 1));
    tokio_tungstenite::connect_async(url).await.expect("the socket opens").0
}

/// Milliseconds from each send to its `message.created` on `socket`.
async fn fan_out(
    client: &reqwest::Client,
    base: &str,
    owner: &str,
    conversation: &str,
    socket: &mut Socket,
) -> Vec<f64> {
    let mut latencies = Vec::new();
    for number in 0..200 {
        let started = Instant::now();
        let sent = client
            .post(format!("{base}/api/v1/chat/conversations/{conversation}/messages"))
            .bearer_auth(owner)
            .json(&json!({ "body": format!("bench {number}") }))
            .send()
            .await
            .expect("the message is sent");
        assert_eq!(sent.status(), 201, "sending answered {}", sent.status());
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), socket.next()).await;
            let Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text)))) = frame else { continue };
            if text.contains("\"message.created\"") && text.contains(&format!("bench {number}\"")) {
                break;
            }
        }
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    latencies
}

fn percentile(sorted: &[f64], share: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * share).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn rss_mb(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kb| kb.parse().ok())
        .unwrap_or_default();
    kb / 1024.0
}

#[tokio::main]
async fn main() {
    let client = reqwest::Client::new();
    let (base, base_b) = (env("BENCH_BASE"), env("BENCH_BASE_B"));
    let (owner, desk, conversation) = (env("BENCH_OWNER_TOKEN"), env("BENCH_DESK_TOKEN"), env("BENCH_CONVERSATION"));
    for (name, socket_base) in [("one instance", &base), ("across two", &base_b)] {
        let mut socket = open(&client, socket_base, &desk).await;
        let latencies = fan_out(&client, &base, &owner, &conversation, &mut socket).await;
        println!(
            "{:<34} {:>9.2} ms {:>9.2} ms (p50, p99 of 200, send to receipt)",
            format!("ws fan-out, {name}"),
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99)
        );
    }
    let (count, pid): (usize, String) = (env("BENCH_IDLE_SOCKETS").parse().expect("a number"), env("BENCH_PID"));
    let before = rss_mb(&pid);
    let mut held = Vec::with_capacity(count);
    for _ in 0..count {
        held.push(open(&client, &base, &desk).await);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!(
        "{:<34} {:>12} sockets, gateway RSS {before:.0} MB -> {:.0} MB",
        "ws idle sockets held",
        held.len(),
        rss_mb(&pid)
    );
}
