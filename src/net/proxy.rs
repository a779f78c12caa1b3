//! The HAProxy PROXY protocol, versions 1 (text) and 2 (binary): the header a load balancer
//! puts before a client's bytes to say who the client is.
//!
//! When a listener has `proxy_protocol = true`, every connection must start with one; the
//! address it carries replaces the balancer's own in rate limiting and logs. Exactly the
//! header's bytes are consumed (the protocol's first byte follows), and a connection without a
//! valid header is refused. A `LOCAL` (v2) or `UNKNOWN` (v1) header, which balancers send for
//! health checks, keeps the connection's own address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

const V1_PREFIX: &[u8] = b"PROXY ";
/// The longest v1 header, CRLF included, per the specification.
const V1_MAX: usize = 107;
const V2_SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";
/// v2 headers may carry TLVs; anything longer than this is not a header we want to read.
const V2_MAX_BODY: usize = 1024;

/// How long to wait between looks at a header that has not fully arrived yet.
const RELOOK: Duration = Duration::from_millis(2);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("no PROXY protocol header")]
    Missing,
    #[error("malformed PROXY protocol header: {0}")]
    Malformed(&'static str),
    #[error("connection closed inside the PROXY protocol header")]
    Closed,
}

/// Reads the header at the start of `stream`. `Ok(None)` means the balancer speaks for
/// itself; the caller bounds the time this may take.
pub async fn read_header(stream: &mut TcpStream) -> Result<Option<SocketAddr>, ProxyError> {
    let mut first = [0u8; V1_MAX];
    let seen = peek_at_least(stream, &mut first, V2_SIGNATURE.len()).await?;
    let start = first.get(..seen).unwrap_or_default();
    if start.starts_with(V1_PREFIX) {
        read_v1(stream).await
    } else if start.starts_with(&V2_SIGNATURE) {
        read_v2(stream).await
    } else {
        Err(ProxyError::Missing)
    }
}

/// Peeks until at least `want` bytes are there (or the line end of a v1 header is), returning
/// how many were seen.
async fn peek_at_least(
    stream: &mut TcpStream,
    buffer: &mut [u8],
    want: usize,
) -> Result<usize, ProxyError> {
    loop {
        let seen = stream.peek(buffer).await.map_err(|_| ProxyError::Closed)?;
        if seen == 0 {
            return Err(ProxyError::Closed);
        }
        let seen_bytes = buffer.get(..seen).unwrap_or_default();
        if seen >= want || seen_bytes.contains(&b'\n') || seen == buffer.len() {
            return Ok(seen);
        }
        tokio::time::sleep(RELOOK).await;
    }
}

async fn read_v1(stream: &mut TcpStream) -> Result<Option<SocketAddr>, ProxyError> {
    // Wait for the whole line (or the longest a line may be), then take exactly it.
    let mut buffer = [0u8; V1_MAX];
    let seen = peek_at_least(stream, &mut buffer, V1_MAX).await?;
    let end = buffer[..seen]
        .windows(2)
        .position(|w| w == b"\r\n")
        .ok_or(ProxyError::Malformed("v1 header longer than 107 bytes"))?;
    let mut line = vec![0u8; end + 2];
    stream
        .read_exact(&mut line)
        .await
        .map_err(|_| ProxyError::Closed)?;
    parse_v1(&line[..end])
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

async fn read_v2(stream: &mut TcpStream) -> Result<Option<SocketAddr>, ProxyError> {
    let mut head = [0u8; 16];
    stream
        .read_exact(&mut head)
        .await
        .map_err(|_| ProxyError::Closed)?;
    let length = usize::from(u16::from_be_bytes([head[14], head[15]]));
    if length > V2_MAX_BODY {
        return Err(ProxyError::Malformed("v2 header too long"));
    }
    let mut body = vec![0u8; length];
    stream
        .read_exact(&mut body)
        .await
        .map_err(|_| ProxyError::Closed)?;
    parse_v2(head[12], head[13], &body)
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
        let mut rest = Vec::new();
        server.read_to_end(&mut rest).await.unwrap();
        (header, rest)
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
