//! The guard on every outbound URL a user chooses (Web Push and UnifiedPush endpoints today; calendar
//! URLs later): the server must never be made to connect to itself, its private network or a cloud
//! metadata service on a user's behalf (SSRF).
//!
//! The guard acts twice. At registration, [`OutboundPolicy::check_url`] refuses what the URL itself
//! shows (scheme, credentials, an IP literal in a blocked range, a name outside the operator's allow-list)
//! and [`OutboundPolicy::check_resolved`] refuses a name that resolves to a blocked address. At connect
//! time, the client from [`OutboundPolicy::client`] resolves names through [`GuardedResolver`], which drops
//! blocked addresses, so a name that changed its answer since registration (DNS rebinding) reaches nothing;
//! IP literals skip resolvers, so senders call [`OutboundPolicy::check_url`] again before each request.
//! The client follows no redirect and ignores proxy variables.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an outbound URL is refused; the `code` is the stable word stored with a failed delivery.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    /// Not a URL, or no host.
    #[error("adresse illisible")]
    Unreadable,
    /// `http://` (outside the loopback test mode), `ftp://`…, or credentials in the URL.
    #[error("l'adresse doit être en https, sans identifiants")]
    Scheme,
    /// The host is, or resolves to, a loopback, private, link-local, unique-local, multicast or
    /// otherwise reserved address.
    #[error("adresse privée ou réservée refusée")]
    Blocked,
    /// The operator lists the push services it accepts and this host is not one of them.
    #[error("service non autorisé par l'opérateur")]
    NotAllowed,
}

impl OutboundError {
    /// The stable code kept with a failed delivery.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreadable | Self::Scheme => "bad_endpoint",
            Self::Blocked | Self::NotAllowed => "blocked_destination",
        }
    }
}

/// What outbound destinations a user may choose.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Tests only: accept `http://` and loopback destinations (local fake push services). Every other
    /// blocked range stays blocked even then.
    pub allow_loopback: bool,
    /// When not empty, the only hosts accepted (exactly, or as a parent domain: `push.example.net`
    /// accepts `eu.push.example.net`).
    pub allowed_hosts: Vec<String>,
}

impl OutboundPolicy {
    /// Checks what the URL shows, without any network access.
    pub fn check_url(&self, raw: &str) -> Result<reqwest::Url, OutboundError> {
        let url = reqwest::Url::parse(raw).map_err(|_| OutboundError::Unreadable)?;
        let host = url.host().ok_or(OutboundError::Unreadable)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OutboundError::Scheme);
        }
        let literal = match host {
            url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
            url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
            url::Host::Domain(_) => None,
        };
        let name = url
            .host_str()
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let loopback_name = name == "localhost" || name.ends_with(".localhost");
        let is_loopback = loopback_name || literal.is_some_and(|ip| canonical(ip).is_loopback());
        match url.scheme() {
            "https" => {}
            "http" if self.allow_loopback && is_loopback => {}
            _ => return Err(OutboundError::Scheme),
        }
        if let Some(ip) = literal
            && self.blocks(ip)
        {
            return Err(OutboundError::Blocked);
        }
        if loopback_name && !self.allow_loopback {
            return Err(OutboundError::Blocked);
        }
        let test_loopback = self.allow_loopback && is_loopback;
        if !self.allowed_hosts.is_empty()
            && !test_loopback
            && !self.allowed_hosts.iter().any(|allowed| {
                let allowed = allowed.trim_start_matches('.').to_ascii_lowercase();
                name == allowed || name.ends_with(&format!(".{allowed}"))
            })
        {
            return Err(OutboundError::NotAllowed);
        }
        Ok(url)
    }

    /// [`Self::check_url`], then a resolution of the name: refused when any address it gives is
    /// blocked. A name that does not resolve now is accepted (the connect-time guard still applies),
    /// so a registration does not depend on the server's resolver being up.
    pub async fn check_resolved(&self, raw: &str) -> Result<reqwest::Url, OutboundError> {
        let url = self.check_url(raw)?;
        if let Some(url::Host::Domain(name)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            let lookup = tokio::net::lookup_host((name.to_owned(), port));
            if let Ok(Ok(addrs)) = tokio::time::timeout(Duration::from_secs(3), lookup).await {
                for addr in addrs {
                    if self.blocks(addr.ip()) {
                        return Err(OutboundError::Blocked);
                    }
                }
            }
        }
        Ok(url)
    }

    /// Whether this policy refuses connecting to `ip`.
    pub fn blocks(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        if self.allow_loopback && ip.is_loopback() {
            return false;
        }
        !is_public(ip)
    }

    /// An HTTP client for user-chosen URLs: names resolve through [`GuardedResolver`], no redirect is
    /// followed, no proxy from the environment is used.
    pub fn client(&self, timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
        reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: self.clone(),
            }))
            .build()
    }
}

/// A resolver that keeps only the addresses the policy allows; a name left with none fails to resolve.
#[derive(Debug)]
pub struct GuardedResolver {
    policy: OutboundPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str().to_owned(), 0)).await?;
            let kept: Vec<SocketAddr> = found.filter(|a| !policy.blocks(a.ip())).collect();
            if kept.is_empty() {
                return Err(
                    Box::new(OutboundError::Blocked) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

/// IPv4-mapped and NAT64 IPv6 addresses read as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let segments = v6.segments();
            // 64:ff9b::/96, the well-known NAT64 prefix (RFC 6052).
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [o1, o2] = segments[6].to_be_bytes();
                let [o3, o4] = segments[7].to_be_bytes();
                return IpAddr::V4(Ipv4Addr::new(o1, o2, o3, o4));
            }
            IpAddr::V6(v6)
        }
        IpAddr::V4(v4) => IpAddr::V4(v4),
    }
}

/// Whether an address is on the public Internet. Written here because the standard library's
/// `is_global` is still unstable; the ranges are those of the IANA special-purpose registries.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, cloud metadata services included
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // 100.64/10, carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // 192.0.0/24, protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // 198.18/15, benchmarking
        || a >= 240) // 240/4, reserved
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local() // fc00::/7
        || ip.is_unicast_link_local() // fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // fec0::/10, old site-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // 100::/64, discard
        || s[0] == 0x2002) // 6to4: carries an IPv4 address we cannot vouch for
}

#[cfg(test)]
mod tests {
    use super::*;

    fn production() -> OutboundPolicy {
        OutboundPolicy::default()
    }

    #[test]
    fn private_loopback_link_local_and_reserved_addresses_are_blocked() {
        for raw in [
            "https://127.0.0.1/x",
            "https://127.3.4.5/x",
            "https://10.0.0.1:6379/x",
            "https://172.16.0.1/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/x",
            "https://0.0.0.0/x",
            "https://224.0.0.1/x",
            "https://255.255.255.255/x",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[fe80::1]/x",
            "https://[ff02::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://[::ffff:169.254.169.254]/x",
            "https://[64:ff9b::a00:1]/x",
            "https://localhost/x",
            "https://api.localhost/x",
            "https://2130706433/x",
            "https://0x7f.1/x",
        ] {
            assert_eq!(
                production().check_url(raw).map(|_| ()),
                Err(OutboundError::Blocked),
                "{raw}"
            );
        }
    }

    #[test]
    fn public_https_hosts_pass_and_other_schemes_fail() {
        for raw in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://updates.push.services.mozilla.com/wpush/v2/x",
            "https://8.8.8.8/x",
            "https://[2a00:1450:4007::200e]/x",
        ] {
            assert!(production().check_url(raw).is_ok(), "{raw}");
        }
        for raw in [
            "http://push.example.com/x",
            "ftp://push.example.com/x",
            "https://user:pw@push.example.com/x",
        ] {
            assert_eq!(
                production().check_url(raw).map(|_| ()),
                Err(OutboundError::Scheme),
                "{raw}"
            );
        }
        assert_eq!(
            production().check_url("pas une url").map(|_| ()),
            Err(OutboundError::Unreadable)
        );
    }

    #[test]
    fn the_loopback_test_mode_opens_loopback_only() {
        let tests = OutboundPolicy {
            allow_loopback: true,
            ..OutboundPolicy::default()
        };
        assert!(tests.check_url("http://127.0.0.1:8080/push/1").is_ok());
        assert!(tests.check_url("http://localhost:8080/push/1").is_ok());
        assert_eq!(
            tests.check_url("http://10.0.0.1/x").map(|_| ()),
            Err(OutboundError::Scheme)
        );
        assert_eq!(
            tests.check_url("https://169.254.169.254/x").map(|_| ()),
            Err(OutboundError::Blocked)
        );
    }

    #[test]
    fn an_allow_list_admits_its_hosts_and_their_subdomains_only() {
        let listed = OutboundPolicy {
            allowed_hosts: vec![
                "push.services.mozilla.com".into(),
                "fcm.googleapis.com".into(),
            ],
            ..OutboundPolicy::default()
        };
        assert!(
            listed
                .check_url("https://updates.push.services.mozilla.com/x")
                .is_ok()
        );
        assert!(listed.check_url("https://fcm.googleapis.com/x").is_ok());
        for raw in [
            "https://evil.example/x",
            "https://fcm.googleapis.com.evil.example/x",
            "https://notfcm.googleapis.com/x",
        ] {
            assert_eq!(
                listed.check_url(raw).map(|_| ()),
                Err(OutboundError::NotAllowed),
                "{raw}"
            );
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_at_registration_and_at_connect_time() {
        assert_eq!(
            production()
                .check_resolved("https://localhost.:9/x")
                .await
                .map(|_| ()),
            Err(OutboundError::Blocked)
        );
        let resolved = GuardedResolver {
            policy: production(),
        }
        .resolve("localhost".parse().unwrap_or_else(|_| unreachable!()))
        .await;
        assert!(resolved.is_err());
        let allowed = GuardedResolver {
            policy: OutboundPolicy {
                allow_loopback: true,
                ..OutboundPolicy::default()
            },
        }
        .resolve("localhost".parse().unwrap_or_else(|_| unreachable!()))
        .await;
        assert!(allowed.is_ok_and(|mut a| a.next().is_some_and(|a| a.ip().is_loopback())));
    }
}
