//! Where webhooks may be sent. Anyone can open a room and configure a webhook, so without a
//! rule the server would POST wherever it is told: to its own admin ports, to the cloud's
//! metadata service, into the private network behind it. Unless the operator allows private
//! addresses (`--webhook-allow-private`), a URL whose host is, or resolves to, a loopback,
//! private, link-local or otherwise non-public address is refused, when the webhook is
//! created and again on every connection (a name may resolve elsewhere later).

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::Uri;
use hyper_util::client::legacy::connect::dns::Name;

/// A webhook URL the server may send to, as far as can be told before resolving its name.
///
/// # Errors
/// What is wrong with it, in a sentence for the facilitator.
pub fn check_url(url: &str, allow_private: bool) -> Result<Uri, String> {
    let uri: Uri = url
        .parse()
        .map_err(|_| "the webhook's URL is not a valid URL".to_owned())?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err("the webhook's URL must start with https:// or http://".into());
    }
    let Some(host) = uri.host().filter(|host| !host.is_empty()) else {
        return Err("the webhook's URL has no host".into());
    };
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err("the webhook's URL must not hold a user name or password".into());
    }
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = literal.parse::<IpAddr>() {
        if !allow_private && !is_public(ip) {
            return Err(private_refusal(host));
        }
    }
    Ok(uri)
}

fn private_refusal(host: &str) -> String {
    format!(
        "{host} is a private or local address; this server sends webhooks only to public \
         addresses (its operator can allow private ones with --webhook-allow-private)"
    )
}

/// Whether `ip` is an address on the public internet.
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or_else(|| is_public_v6(v6), is_public_v4),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared address space (carrier-grade NAT), IETF protocol assignments, benchmarking,
        // reserved.
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [s0, s1, s2, s3, s4, s5, s6, s7] = ip.segments();
    let embedded = |high: u16, low: u16| {
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    // Forms that carry an IPv4 address reach that address: they are as public as it is.
    // IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16).
    if s0 == 0 && s1 == 0 && s2 == 0 && s3 == 0 && s4 == 0 && s5 == 0 {
        return !ip.is_unspecified() && !ip.is_loopback() && is_public_v4(embedded(s6, s7));
    }
    if s0 == 0x0064 && s1 == 0xff9b && s2 == 0 && s3 == 0 && s4 == 0 && s5 == 0 {
        return is_public_v4(embedded(s6, s7));
    }
    if s0 == 0x2002 {
        return is_public_v4(embedded(s1, s2));
    }
    let documentation = s0 == 0x2001 && s1 == 0x0db8;
    // Teredo tunnels to an address that cannot be checked here.
    let teredo = s0 == 0x2001 && s1 == 0;
    let local_nat64 = s0 == 0x0064 && s1 == 0xff9b && s2 == 1;
    let site_local = (s0 & 0xffc0) == 0xfec0;
    let discard = s0 == 0x0100 && s1 == 0 && s2 == 0 && s3 == 0;
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        || documentation
        || teredo
        || local_nat64
        || site_local
        || discard)
}

/// Resolves names for the webhook client, keeping only the addresses it may connect to.
#[derive(Clone, Debug)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl tower::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|addr| allow_private || is_public(addr.ip()))
                .collect();
            if allowed.is_empty() && !found.is_empty() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    private_refusal(name.as_str()),
                ));
            }
            Ok(allowed.into_iter())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "2001:db8::1",
            "::127.0.0.1",
            "::10.0.0.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::",
            "fec0::1",
            "100::1",
            "2001::1",
            "192.0.0.8",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "64:ff9b::1.1.1.1",
            "2002:0101:0101::1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_for_scheme_host_credentials_and_literal_addresses() {
        assert!(check_url("https://hooks.example.com/x?y=1", false).is_ok());
        assert!(check_url("http://127.0.0.1:9/", true).is_ok());
        for bad in [
            "ftp://example.com/",
            "https://",
            "not a url",
            "https://user:pw@example.com/",
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
    }
}
