//! The HAProxy PROXY protocol, versions 1 (text) and 2 (binary): the header a load balancer
//! puts before a client's bytes to say who the client is.
//!
//! When a listener has `proxy_protocol = true`, every connection must start with one; the
//! address it carries replaces the balancer's own in rate limiting and logs. The header is read
//! from the stream as its bytes arrive; whatever came after it is handed on to the protocol, and
//! a connection without a valid header is refused. A `LOCAL` (v2) or `UNKNOWN` (v1) header, which balancers send for
//! health checks, keeps the connection's own address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

const V1_PREFIX: &[u8] = b"PROXY ";
/// The longest v1 header, CRLF included, per the specification.
const V1_MAX: usize = 107;
const V2_SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";
/// v2 headers may carry TLVs; anything longer than this is not a header we want to read.
const V2_MAX_BODY: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("no PROXY protocol header")]
    Missing,
    #[error("malformed PROXY protocol header: {0}")]
    Malformed(&'static str),
    #[error("connection closed inside the PROXY protocol header")]
    Closed,
}

/// A header read: the client it names (`None`: the balancer speaks for itself), and the bytes
/// read past it, which belong to the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub client: Option<SocketAddr>,
    pub rest: Vec<u8>,
}

/// What the bytes read so far say.
enum Seen {
    /// A whole header of this many bytes, and who it names.
    Header(usize, Option<SocketAddr>),
    NeedMore,
}

/// Reads the header at the start of `stream`, as the bytes arrive (never polling); the caller
/// bounds the time this may take.
pub async fn read_header(stream: &mut TcpStream) -> Result<Header, ProxyError> {
    let mut buffer: Vec<u8> = Vec::with_capacity(V1_MAX);
    loop {
        if let Seen::Header(len, client) = look(&buffer)? {
            return Ok(Header {
                client,
                rest: buffer.split_off(len),
            });
        }
        let mut chunk = [0u8; 512];
        let read = stream
            .read(&mut chunk)
            .await
            .map_err(|_| ProxyError::Closed)?;
        if read == 0 {
            return Err(ProxyError::Closed);
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

/// Judges the bytes read so far: a whole header, a header still arriving, or no header.
fn look(bytes: &[u8]) -> Result<Seen, ProxyError> {
    let could_be = |prefix: &[u8]| {
        let n = bytes.len().min(prefix.len());
        bytes[..n] == prefix[..n]
    };
    if bytes.is_empty() {
        return Ok(Seen::NeedMore);
    }
    if could_be(V1_PREFIX) {
        if bytes.len() < V1_PREFIX.len() {
            return Ok(Seen::NeedMore);
        }
        let window = &bytes[..bytes.len().min(V1_MAX)];
        return match window.windows(2).position(|w| w == b"\r\n") {
            Some(end) => Ok(Seen::Header(end + 2, parse_v1(&bytes[..end])?)),
            None if bytes.len() >= V1_MAX => {
                Err(ProxyError::Malformed("v1 header longer than 107 bytes"))
            }
            None => Ok(Seen::NeedMore),
        };
    }
    if could_be(&V2_SIGNATURE) {
        let Some(head) = bytes.get(..16) else {
            return Ok(Seen::NeedMore);
        };
        let length = usize::from(u16::from_be_bytes([head[14], head[15]]));
        if length > V2_MAX_BODY {
            return Err(ProxyError::Malformed("v2 header too long"));
        }
        return match bytes.get(16..16 + length) {
            Some(body) => Ok(Seen::Header(
                16 + length,
                parse_v2(head[12], head[13], body)?,
            )),
            None => Ok(Seen::NeedMore),
        };
    }
    Err(ProxyError::Missing)
}

/// `PROXY TCP4 <src> <dst> <sport> <dport>` (or TCP6, or UNKNOWN ...), without the CRLF.
fn parse_v1(line: &[u8]) -> Result<Option<SocketAddr>, ProxyError> {
    let line =
        std::str::from_utf8(line).map_err(|_| ProxyError::Malformed("v1 header is not ASCII"))?;
    let fields: Vec<&str> = line.split(' ').collect();
    match fields.as_slice() {
        ["PROXY", "UNKNOWN", ..] => Ok(None),
        ["PROXY", family @ ("TCP4" | "TCP6"), source, _destination, source_port, _destination_port] =>
        {
            let ip: IpAddr = source
                .parse()
                .map_err(|_| ProxyError::Malformed("v1 source address"))?;
            if ip.is_ipv4() != (*family == "TCP4") {
                return Err(ProxyError::Malformed(
                    "v1 address does not match its family",
                ));
            }
            let port: u16 = source_port
                .parse()
                .map_err(|_| ProxyError::Malformed("v1 source port"))?;
            Ok(Some(SocketAddr::new(ip, port)))
        }
        _ => Err(ProxyError::Malformed("v1 header fields")),
    }
}

/// The version/command byte, the family/transport byte, and the address block.
fn parse_v2(
    version_command: u8,
    family: u8,
    body: &[u8],
) -> Result<Option<SocketAddr>, ProxyError> {
    if version_command >> 4 != 2 {
        return Err(ProxyError::Malformed("v2 version is not 2"));
    }
    match version_command & 0x0f {
        0 => return Ok(None),
        1 => {}
        _ => {
            return Err(ProxyError::Malformed(
                "v2 command is neither LOCAL nor PROXY",
            ))
        }
    }
    let port = |at: usize| -> Result<u16, ProxyError> {
        let bytes = body
            .get(at..at + 2)
            .ok_or(ProxyError::Malformed("v2 address block too short"))?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    };
    match family {
        // TCP over IPv4: source, destination, source port, destination port.
        0x11 => {
            let ip: [u8; 4] = body
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .ok_or(ProxyError::Malformed("v2 address block too short"))?;
            Ok(Some(SocketAddr::new(Ipv4Addr::from(ip).into(), port(8)?)))
        }
        // TCP over IPv6.
        0x21 => {
            let ip: [u8; 16] = body
                .get(..16)
                .and_then(|b| b.try_into().ok())
                .ok_or(ProxyError::Malformed("v2 address block too short"))?;
            Ok(Some(SocketAddr::new(Ipv6Addr::from(ip).into(), port(32)?)))
        }
        // Unspecified, UDP or UNIX addresses: nothing to attribute the connection to.
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    /// Sends `bytes` over a real loopback connection and reads the header from the other end;
    /// returns the result and the bytes that follow it.
    async fn through_socket(bytes: &[u8]) -> (Result<Option<SocketAddr>, ProxyError>, Vec<u8>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(bytes).await.unwrap();
        client.shutdown().await.unwrap();
        let header = read_header(&mut server).await;
        let mut rest = header.as_ref().map_or(Vec::new(), |h| h.rest.clone());
        server.read_to_end(&mut rest).await.unwrap();
        (header.map(|h| h.client), rest)
    }

    fn v2(command: u8, family: u8, body: &[u8]) -> Vec<u8> {
        let mut bytes = V2_SIGNATURE.to_vec();
        bytes.extend([0x20 | command, family]);
        bytes.extend((body.len() as u16).to_be_bytes());
        bytes.extend(body);
        bytes
    }

    #[tokio::test]
    async fn v1_headers() {
        let (header, rest) =
            through_socket(b"PROXY TCP4 192.0.2.7 127.0.0.1 56324 1965\r\n\x16\x03\x01").await;
        assert_eq!(header, Ok(Some("192.0.2.7:56324".parse().unwrap())));
        assert_eq!(rest, b"\x16\x03\x01");
        let (header, _) = through_socket(b"PROXY TCP6 2001:db8::7 ::1 4000 70\r\n/\r\n").await;
        assert_eq!(header, Ok(Some("[2001:db8::7]:4000".parse().unwrap())));
        let (header, rest) = through_socket(b"PROXY UNKNOWN\r\n/about\r\n").await;
        assert_eq!((header, rest.as_slice()), (Ok(None), &b"/about\r\n"[..]));
        for bad in [
            &b"PROXY TCP4 2001:db8::7 127.0.0.1 1 2\r\n"[..],
            b"PROXY TCP4 192.0.2.7 127.0.0.1 99999 2\r\n",
            b"PROXY TCP4 192.0.2.7\r\n",
            &[b"PROXY TCP4 ".as_slice(), &[b'1'; 120]].concat(),
        ] {
            assert!(matches!(
                through_socket(bad).await.0,
                Err(ProxyError::Malformed(_))
            ));
        }
    }

    #[tokio::test]
    async fn v2_headers() {
        let mut body = vec![192, 0, 2, 7, 127, 0, 0, 1];
        body.extend(56324u16.to_be_bytes());
        body.extend(1965u16.to_be_bytes());
        let mut bytes = v2(1, 0x11, &body);
        bytes.extend(b"\x16\x03\x01");
        let (header, rest) = through_socket(&bytes).await;
        assert_eq!(header, Ok(Some("192.0.2.7:56324".parse().unwrap())));
        assert_eq!(rest, b"\x16\x03\x01");

        let mut body = "2001:db8::7".parse::<Ipv6Addr>().unwrap().octets().to_vec();
        body.extend(Ipv6Addr::LOCALHOST.octets());
        body.extend(4000u16.to_be_bytes());
        body.extend(70u16.to_be_bytes());
        body.extend([1, 0, 1, b'x']); // a TLV after the addresses
        assert_eq!(
            through_socket(&v2(1, 0x21, &body)).await.0,
            Ok(Some("[2001:db8::7]:4000".parse().unwrap()))
        );
        assert_eq!(through_socket(&v2(0, 0x00, &[])).await.0, Ok(None));
        assert!(matches!(
            through_socket(&v2(1, 0x11, &[1, 2, 3])).await.0,
            Err(ProxyError::Malformed(_))
        ));
    }

    #[tokio::test]
    async fn a_header_arriving_in_pieces_is_read_as_it_comes() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let reader = tokio::spawn(async move { read_header(&mut server).await });
        for piece in [
            &b"PROXY TCP4 192.0.2.7 1"[..],
            b"27.0.0.1 56324 1965\r",
            b"\n/x",
        ] {
            client.write_all(piece).await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let header = reader.await.unwrap().unwrap();
        assert_eq!(header.client, Some("192.0.2.7:56324".parse().unwrap()));
        assert_eq!(header.rest, b"/x");
    }

    #[tokio::test]
    async fn anything_else_is_refused() {
        assert_eq!(
            through_socket(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x00")
                .await
                .0,
            Err(ProxyError::Missing)
        );
        assert_eq!(
            through_socket(b"/about\r\n").await.0,
            Err(ProxyError::Missing)
        );
        assert_eq!(through_socket(b"").await.0, Err(ProxyError::Closed));
    }
}
