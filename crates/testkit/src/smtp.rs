//! A real SMTP server on loopback for email tests: Python's `aiosmtpd`, storing
//! every message it accepts in a Maildir that the test reads back.
//!
//! The interpreter is `$VET_TEST_PYTHON` or the workspace's `.venv/bin/python`
//! (`make test` installs `aiosmtpd` there).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running SMTP server; stopped when dropped.
pub struct SmtpServer {
    port: u16,
    maildir: tempfile::TempDir,
    child: Child,
}

impl SmtpServer {
    /// Starts the server on a free loopback port and waits until it answers.
    pub async fn start() -> Self {
        let python = std::env::var_os("VET_TEST_PYTHON")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"), PathBuf::from);
        let port =
            TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("a free port").port();
        let maildir = tempfile::tempdir().expect("a temporary maildir");
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start aiosmtpd with {} ({error}); run `make test` or `.ci/services.sh smtp`",
                    python.display()
                )
            });
        let server = Self { port, maildir, child };
        let deadline = Instant::now() + Duration::from_secs(15);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen on port {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message received so far, raw (headers and MIME body).
    pub fn messages(&self) -> Vec<String> {
        let new = self.maildir.path().join("mail").join("new");
        let mut files: Vec<_> =
            std::fs::read_dir(new).into_iter().flatten().flatten().map(|entry| entry.path()).collect();
        files.sort();
        files.iter().filter_map(|path| std::fs::read_to_string(path).ok()).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
