//! Loopback servers run by the workspace's Python: `$VET_TEST_PYTHON`, or
//! `.venv/bin/python` (`make test` installs the packages there).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A Python server process on a free loopback port; killed when dropped.
pub(crate) struct PythonServer {
    port: u16,
    child: Child,
}

impl PythonServer {
    /// Runs `python -m module <args for the port>` and waits until the port
    /// accepts connections.
    pub(crate) async fn start(module: &str, args: impl FnOnce(u16) -> Vec<String>) -> Self {
        let python = std::env::var_os("VET_TEST_PYTHON")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python"), PathBuf::from);
        let port =
            TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("a free port").port();
        let child = Command::new(&python)
            .args(["-m", module])
            .args(args(port))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start {module} with {} ({error}); run `make test` or `.ci/services.sh test-servers`",
                    python.display()
                )
            });
        let server = Self { port, child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "{module} did not listen on port {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// The port it listens on (127.0.0.1).
    pub(crate) fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
