//! Which addresses a webhook may reach: public ones, over HTTPS. Loopback,
//! private, link-local, shared, documentation and other special-purpose
//! addresses are refused, unless they are in a configured local network
//! (a test's receiver on loopback), where plain HTTP is accepted too.
//!
//! The check runs when an endpoint is registered and again on every
//! delivery. [`Guard`] is also the delivery client's resolver, so the address
//! checked is the address connected to, whatever DNS answered before: a name
//! that resolved to a public address at registration and to a private one
//! later is refused at delivery.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use url::{Host, Url};

use crate::settings::WebhookSettings;

/// The IANA special-purpose ranges a webhook never reaches unless configured
/// local (IPv4-mapped IPv6 addresses are checked as IPv4).
const NOT_PUBLIC: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/3",
    "::/96",
    "::ffff:0:0:0/96",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "2002::/16",
    "fc00::/7",
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
];

/// Why a webhook URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not an absolute URL.
    #[error("is not a URL")]
    NotUrl,
    /// Another scheme, or `http` to a public address.
    #[error("must be an https:// URL")]
    NotHttps,
    /// User name or password in the URL.
    #[error("must not carry a user name or password")]
    Credentials,
    /// The name has no address (in time). Said like [`Refusal::NotPublic`],
    /// so that refusals never tell which internal names exist.
    #[error("host {0} must resolve to public addresses only")]
    Unresolved(String),
    /// An address that is not public; the message never names it, so that
    /// refusals cannot map a private network.
    #[error("host {host} must resolve to public addresses only")]
    NotPublic {
        /// The URL's host.
        host: String,
        /// The refused address.
        address: IpAddr,
    },
}

/// Checks webhook URLs and resolves their hosts for the delivery client.
#[derive(Debug, Clone)]
pub struct Guard(Arc<Rules>);

#[derive(Debug)]
struct Rules {
    not_public: Vec<IpNet>,
    local: Vec<IpNet>,
    hosts: HashMap<String, Vec<IpAddr>>,
    /// How long a DNS answer may take.
    resolve_timeout: Duration,
}

impl Guard {
    /// The guard `settings` describe.
    pub fn from_settings(settings: &WebhookSettings) -> Self {
        // Every entry parses (a unit test checks), so none is dropped.
        let not_public = NOT_PUBLIC.iter().filter_map(|network| network.parse().ok()).collect();
        let mut hosts: HashMap<String, Vec<IpAddr>> = HashMap::new();
        for answer in &settings.hosts {
            hosts.entry(answer.name.clone()).or_default().push(answer.address);
        }
        let resolve_timeout = Duration::from_secs(settings.timeout_secs);
        Self(Arc::new(Rules { not_public, local: settings.local_networks.clone(), hosts, resolve_timeout }))
    }

    /// Checks `url` as it resolves now: scheme, no credentials, and every
    /// address of its host.
    pub async fn check(&self, url: &str) -> Result<Url, Refusal> {
        let parsed = Url::parse(url).map_err(|_| Refusal::NotUrl)?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(Refusal::NotHttps);
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(Refusal::Credentials);
        }
        let addresses = match parsed.host() {
            Some(Host::Ipv4(address)) => self.allowed(&address.to_string(), vec![address.into()])?,
            Some(Host::Ipv6(address)) => self.allowed(&address.to_string(), vec![address.into()])?,
            Some(Host::Domain(name)) => self.resolve(name).await?,
            None => return Err(Refusal::NotUrl),
        };
        if parsed.scheme() == "http" && !addresses.iter().all(|address| self.is_local(*address)) {
            return Err(Refusal::NotHttps);
        }
        Ok(parsed)
    }

    /// The addresses of `name` (fixed answers first, then DNS), all of them allowed.
    async fn resolve(&self, name: &str) -> Result<Vec<IpAddr>, Refusal> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let answers = match self.0.hosts.get(&name) {
            Some(fixed) => fixed.clone(),
            None => tokio::time::timeout(self.0.resolve_timeout, tokio::net::lookup_host((name.as_str(), 0)))
                .await
                .ok()
                .and_then(Result::ok)
                .map(|found| found.map(|socket| socket.ip()).collect())
                .unwrap_or_default(),
        };
        if answers.is_empty() {
            return Err(Refusal::Unresolved(name));
        }
        self.allowed(&name, answers)
    }

    fn allowed(&self, host: &str, addresses: Vec<IpAddr>) -> Result<Vec<IpAddr>, Refusal> {
        match addresses.iter().find(|address| !self.is_local(**address) && !self.is_public(**address)) {
            Some(address) => {
                // For the operators; the clinic is told only that it is not public.
                tracing::info!(host, %address, "a webhook address was refused");
                Err(Refusal::NotPublic { host: host.to_owned(), address: *address })
            }
            None => Ok(addresses),
        }
    }

    fn is_public(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        };
        !self.0.not_public.iter().any(|network| network.contains(&address))
    }

    fn is_local(&self, address: IpAddr) -> bool {
        self.0.local.iter().any(|network| network.contains(&address))
    }
}

impl reqwest::dns::Resolve for Guard {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let guard = self.clone();
        Box::pin(async move {
            let addresses = guard.resolve(name.as_str()).await?;
            let sockets: reqwest::dns::Addrs = Box::new(addresses.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(sockets)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(local: &[&str], hosts: &[&str]) -> Guard {
        let settings = WebhookSettings {
            max_attempts: 1,
            disable_after_failures: 1,
            timeout_secs: 1,
            local_networks: local.iter().map(|network| network.parse().unwrap()).collect(),
            hosts: hosts.iter().map(|entry| (*entry).to_owned().try_into().unwrap()).collect(),
        };
        Guard::from_settings(&settings)
    }

    #[test]
    fn every_special_purpose_range_is_kept() {
        assert_eq!(guard(&[], &[]).0.not_public.len(), NOT_PUBLIC.len());
        assert!(crate::settings::HostAnswer::try_from("no-address".to_owned()).is_err());
        assert!(crate::settings::HostAnswer::try_from("=10.0.0.1".to_owned()).is_err());
    }

    #[tokio::test]
    async fn public_https_passes_and_special_addresses_are_refused() {
        let guard = guard(&[], &["hooks.example=93.184.216.34", "inside.example=10.1.2.3", "mixed.example=8.8.8.8"]);
        assert!(guard.check("https://hooks.example/vet").await.is_ok());
        assert!(guard.check("https://93.184.216.34/vet").await.is_ok());
        for refused in [
            "https://127.0.0.1/",
            "https://10.0.0.8/",
            "https://169.254.169.254/latest/meta-data",
            "https://192.168.1.1/",
            "https://100.64.0.1/",
            "https://[::1]/",
            "https://[fe80::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::127.0.0.1]/",
            "https://[::a9fe:a9fe]/",
            "https://[::ffff:0:a9fe:a9fe]/",
            "https://0.0.0.0/",
            "https://inside.example/",
        ] {
            assert!(matches!(guard.check(refused).await, Err(Refusal::NotPublic { .. })), "{refused}");
        }
        assert_eq!(guard.check("http://hooks.example/").await, Err(Refusal::NotHttps));
        assert_eq!(guard.check("ftp://hooks.example/").await, Err(Refusal::NotHttps));
        assert_eq!(guard.check("https://user:pw@hooks.example/").await, Err(Refusal::Credentials));
        assert_eq!(guard.check("not a url").await, Err(Refusal::NotUrl));
        assert!(matches!(guard.check("https://nowhere.invalid/").await, Err(Refusal::Unresolved(_))));
    }

    #[tokio::test]
    async fn a_local_network_is_reached_over_http_and_nothing_else_private_is() {
        let guard = guard(&["127.0.0.0/8"], &["receiver.test=127.0.0.1", "moved.test=10.0.0.9"]);
        assert!(guard.check("http://127.0.0.1:8080/hook").await.is_ok());
        assert!(guard.check("http://receiver.test:8080/hook").await.is_ok());
        assert!(matches!(guard.check("http://moved.test/hook").await, Err(Refusal::NotPublic { .. })));
        assert!(matches!(guard.check("https://192.168.0.1/").await, Err(Refusal::NotPublic { .. })));
    }
}
