//! The sending side of a connection: a writer that counts what the client accepted and gives
//! up when the client accepts nothing for too long.
//!
//! A response is bounded by silence, not by its size: a client reading a large file slowly
//! but steadily keeps its connection for as long as it takes, while one that stops reading is
//! cut off after the idle time. Reads pass through untouched.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// `inner`, whose writes fail with `TimedOut` once no byte has been accepted for `idle`.
pub struct Outgoing<W> {
    inner: W,
    idle: Duration,
    /// When the client will have been silent too long, moved on by every byte it accepts.
    silence: Pin<Box<Sleep>>,
    sent: u64,
}

impl<W> Outgoing<W> {
    pub fn new(inner: W, idle: Duration) -> Outgoing<W> {
        Outgoing {
            inner,
            idle,
            silence: Box::pin(tokio::time::sleep(idle)),
            sent: 0,
        }
    }

    /// Bytes the client accepted so far (what was written through this writer).
    pub fn sent(&self) -> u64 {
        self.sent
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// Some progress: the silence starts again.
    fn progressed(&mut self) {
        let next = Instant::now() + self.idle;
        self.silence.as_mut().reset(next);
    }

    /// For a write that could not go on: an error once the silence has lasted too long.
    fn waited(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        match self.silence.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the client accepted nothing for {} s", self.idle.as_secs()),
            )),
            Poll::Pending => Poll::Pending,
        }
    }

    fn track<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Ready(done) => {
                self.progressed();
                Poll::Ready(done)
            }
            Poll::Pending => self.waited(cx).map(Err),
        }
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Outgoing<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        let tracked = self.track(cx, polled);
        if let Poll::Ready(Ok(n)) = tracked {
            self.sent += n as u64;
        }
        tracked
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        let tracked = self.track(cx, polled);
        if let Poll::Ready(Ok(n)) = tracked {
            self.sent += n as u64;
        }
        tracked
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.track(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.track(cx, polled)
    }
}

impl<W: AsyncRead + Unpin> AsyncRead for Outgoing<W> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test(start_paused = true)]
    async fn a_steady_reader_keeps_going_and_a_silent_one_is_cut() {
        // A pipe that holds 1 KiB: the writer waits whenever the reader has not taken it.
        let (near, mut far) = tokio::io::duplex(1024);
        let mut out = Outgoing::new(near, Duration::from_secs(2));
        let reader = tokio::spawn(async move {
            let (mut chunk, mut taken) = ([0u8; 1024], 0);
            // A read a second: slower than the data could come, never silent for 2 s.
            while taken < 8 * 1024 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                taken += far.read(&mut chunk).await.unwrap();
            }
            far
        });
        out.write_all(&[b'x'; 8 * 1024]).await.unwrap();
        assert_eq!(out.sent(), 8 * 1024);
        let _far = reader.await.unwrap();
        // Now nobody reads: the next write gives up after the idle time.
        let err = out.write_all(&[b'y'; 4 * 1024]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(out.sent() < 12 * 1024);
    }
}
