//! A connection's stream with the bytes already read from it (while looking for a PROXY header
//! or at the first byte) put back in front, so nothing is read twice and nothing is polled.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// How much is read at once when a byte must be looked at before the protocol reads.
const FIRST_READ: usize = 2048;

/// A TCP stream that yields `head` first, then what the socket brings.
#[derive(Debug)]
pub struct Prefixed {
    head: Vec<u8>,
    /// How much of `head` has been handed on.
    taken: usize,
    inner: TcpStream,
}

impl Prefixed {
    pub fn new(inner: TcpStream, head: Vec<u8>) -> Prefixed {
        Prefixed {
            head,
            taken: 0,
            inner,
        }
    }

    /// The next byte the protocol will read, without taking it; `None` when the client
    /// closed without sending one.
    pub async fn first_byte(&mut self) -> io::Result<Option<u8>> {
        if let Some(&byte) = self.head.get(self.taken) {
            return Ok(Some(byte));
        }
        let mut buffer = vec![0u8; FIRST_READ];
        let read = self.inner.read(&mut buffer).await?;
        buffer.truncate(read);
        self.head = buffer;
        self.taken = 0;
        Ok(self.head.first().copied())
    }

    pub fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.inner.local_addr()
    }
}

impl AsyncRead for Prefixed {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if let Some(rest) = this.head.get(this.taken..).filter(|rest| !rest.is_empty()) {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.taken += n;
            if this.taken == this.head.len() {
                this.head = Vec::new();
                this.taken = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpListener;

    #[tokio::test]
    async fn the_head_comes_first_and_the_first_byte_is_not_taken() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.write_all(b"world").await.unwrap();
        client.shutdown().await.unwrap();
        let mut stream = Prefixed::new(server, b"hello ".to_vec());
        assert_eq!(stream.first_byte().await.unwrap(), Some(b'h'));
        let mut all = String::new();
        stream.read_to_string(&mut all).await.unwrap();
        assert_eq!(all, "hello world");

        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.write_all(b"\x16rest").await.unwrap();
        client.shutdown().await.unwrap();
        let mut stream = Prefixed::new(server, Vec::new());
        assert_eq!(stream.first_byte().await.unwrap(), Some(0x16));
        let mut all = Vec::new();
        stream.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"\x16rest");
    }
}
