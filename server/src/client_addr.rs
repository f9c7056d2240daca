//! Who a request comes from, for the limits kept per client address, and how many
//! connections each address (and the server as a whole) holds open.
//!
//! Behind a reverse proxy every connection comes from the proxy, so the client is read from
//! `X-Forwarded-For`, but only when the connection comes from a proxy the operator named:
//! anyone else could write any address there. IPv6 clients are counted per /64, the block one
//! subscriber usually gets, or a single host could take a fresh address for every connection.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::HeaderMap;
use dashmap::DashMap;
use dashmap::mapref::entry::Entry;
use ipnet::IpNet;

/// The key per-address limits are kept under: an IPv4 address, or an IPv6 /64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AddressKey(IpAddr);

impl AddressKey {
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(_) => Self(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let block = v6.to_bits() & (u128::MAX << 64);
                    Self(IpAddr::V6(Ipv6Addr::from_bits(block)))
                }
            },
        }
    }
}

impl std::fmt::Display for AddressKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => v4.fmt(f),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|network| network.contains(&ip))
    }

    /// The client a request comes from: the peer itself, or, when the peer is a trusted proxy,
    /// the nearest address in `X-Forwarded-For` that is not one of our proxies (the ones
    /// further left were written by the client and prove nothing).
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in forwarded.into_iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                // A malformed hop is where the trustworthy part of the chain ends.
                return peer;
            };
            if !self.trusts(ip) {
                return ip;
            }
        }
        peer
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.1:4711`,
/// `[2001:db8::1]:4711`) or in brackets, as some proxies write them.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = hop.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    hop.strip_prefix('[')?.strip_suffix(']')?.parse().ok()
}

/// Open connections per address and in all, with their caps.
#[derive(Debug)]
pub struct ConnectionCounts {
    per_address: DashMap<AddressKey, usize>,
    max_per_address: usize,
    total: AtomicUsize,
    max_total: usize,
}

/// Why a connection was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    AddressFull,
    ServerFull,
}

impl ConnectionCounts {
    pub fn new(max_per_address: usize, max_total: usize) -> Arc<Self> {
        Arc::new(Self {
            per_address: DashMap::new(),
            max_per_address,
            total: AtomicUsize::new(0),
            max_total,
        })
    }

    /// Admits a new TCP connection: counted in all, and under its address unless it comes
    /// from a trusted proxy (whose clients are counted per request instead).
    pub fn open(self: &Arc<Self>, address: Option<AddressKey>) -> Result<ConnectionSlot, Refused> {
        let admitted = self
            .total
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < self.max_total).then_some(open + 1)
            });
        if admitted.is_err() {
            return Err(Refused::ServerFull);
        }
        let slot = ConnectionSlot {
            counts: Arc::clone(self),
            total: true,
            address: None,
        };
        match address {
            Some(address) => self.hold_address(slot, address),
            None => Ok(slot),
        }
    }

    /// Counts a connection under a client address learnt from a trusted proxy's header.
    pub fn open_for_client(
        self: &Arc<Self>,
        address: AddressKey,
    ) -> Result<ConnectionSlot, Refused> {
        let slot = ConnectionSlot {
            counts: Arc::clone(self),
            total: false,
            address: None,
        };
        self.hold_address(slot, address)
    }

    fn hold_address(
        &self,
        mut slot: ConnectionSlot,
        address: AddressKey,
    ) -> Result<ConnectionSlot, Refused> {
        let mut open = self.per_address.entry(address).or_insert(0);
        if *open >= self.max_per_address {
            return Err(Refused::AddressFull);
        }
        *open += 1;
        slot.address = Some(address);
        Ok(slot)
    }

    /// Connections open now.
    pub fn total(&self) -> usize {
        self.total.load(Ordering::Acquire)
    }

    fn release(&self, total: bool, address: Option<AddressKey>) {
        if total {
            self.total.fetch_sub(1, Ordering::AcqRel);
        }
        if let Some(address) = address {
            if let Entry::Occupied(mut open) = self.per_address.entry(address) {
                *open.get_mut() = open.get().saturating_sub(1);
                // Forgetting idle addresses keeps the map as large as the open connections.
                if *open.get() == 0 {
                    open.remove();
                }
            }
        }
    }
}

/// One admitted connection; it is uncounted when dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    counts: Arc<ConnectionCounts>,
    total: bool,
    address: Option<AddressKey>,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.counts.release(self.total, self.address);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", forwarded.parse().unwrap());
        headers
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(AddressKey::of(a), AddressKey::of(b));
        assert_ne!(AddressKey::of(a), AddressKey::of(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(
            AddressKey::of(mapped),
            AddressKey::of("192.0.2.7".parse().unwrap())
        );
        assert_eq!(AddressKey::of(a).to_string(), "2001:db8:1:2::/64");
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies = TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "203.0.113.5".parse().unwrap();
        let forged = headers("198.51.100.1, 192.0.2.44");
        assert_eq!(proxies.client_ip(stranger, &forged), stranger);
        assert_eq!(
            proxies.client_ip(proxy, &forged),
            "192.0.2.44".parse::<IpAddr>().unwrap()
        );
        // Hops added by our own proxies are skipped; the client's own claims are not read.
        let chained = headers("6.6.6.6, 192.0.2.44, 10.9.9.9");
        assert_eq!(
            proxies.client_ip(proxy, &chained),
            "192.0.2.44".parse::<IpAddr>().unwrap()
        );
        assert_eq!(proxies.client_ip(proxy, &headers("junk")), proxy);
        for (written, client) in [
            ("192.0.2.44:4711", "192.0.2.44"),
            ("[2001:db8::1]:4711", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
        ] {
            assert_eq!(
                proxies.client_ip(proxy, &headers(written)),
                client.parse::<IpAddr>().unwrap(),
                "{written}"
            );
        }
        assert_eq!(proxies.client_ip(proxy, &HeaderMap::new()), proxy);
    }

    #[test]
    fn connections_are_capped_per_address_and_in_all() {
        let counts = ConnectionCounts::new(2, 3);
        let one = AddressKey::of("192.0.2.1".parse().unwrap());
        let two = AddressKey::of("192.0.2.2".parse().unwrap());
        let a = counts.open(Some(one)).unwrap();
        let _b = counts.open(Some(one)).unwrap();
        assert_eq!(counts.open(Some(one)).unwrap_err(), Refused::AddressFull);
        let _c = counts.open(Some(two)).unwrap();
        assert_eq!(counts.open(Some(two)).unwrap_err(), Refused::ServerFull);
        drop(a);
        assert_eq!(counts.total(), 2);
        let _d = counts.open(Some(one)).unwrap();
        assert_eq!(counts.open_for_client(two).map(|_| ()), Ok(()));
    }
}
