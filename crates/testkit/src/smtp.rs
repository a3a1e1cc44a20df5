//! A real SMTP server on loopback for email tests: Python's `aiosmtpd`, storing
//! every message it accepts in a Maildir that the test reads back.

use platform::config::Source;

use crate::python::PythonServer;

/// A running SMTP server; stopped when dropped.
pub struct SmtpServer {
    maildir: tempfile::TempDir,
    server: PythonServer,
}

impl SmtpServer {
    /// Starts the server on a free loopback port and waits until it answers.
    pub async fn start() -> Self {
        let maildir = tempfile::tempdir().expect("a temporary maildir");
        let mailbox = maildir.path().join("mail").display().to_string();
        let server = PythonServer::start("aiosmtpd", |port| {
            ["-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox", &mailbox]
                .map(str::to_owned)
                .to_vec()
        })
        .await;
        Self { maildir, server }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// `config` with notifications sending email here (plain SMTP) and only
    /// logging SMS and push: read `[notifications]` from the result.
    pub fn configure(&self, config: &Source) -> Source {
        [
            ("notifications.email.provider", "smtp".to_owned()),
            ("notifications.email.smtp_host", "127.0.0.1".to_owned()),
            ("notifications.email.smtp_port", self.port().to_string()),
            ("notifications.email.tls", "none".to_owned()),
            ("notifications.sms.provider", "log".to_owned()),
            ("notifications.push.provider", "log".to_owned()),
        ]
        .into_iter()
        .try_fold(config.clone(), |config, (key, value)| config.with_override(key, value))
        .expect("point email at the test SMTP server")
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
