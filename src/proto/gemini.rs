//! Gemini's numbers: the port, the media type of gemtext, and the statuses gemhole answers with.

/// The port a `gemini://` URL means when it names none.
pub const DEFAULT_PORT: u16 = 1965;

/// The media type of gemtext, without its `lang` parameter.
pub const GEMTEXT: &str = "text/gemini; charset=utf-8";

/// The longest request URL the specification allows, in bytes (CRLF not counted).
pub const MAX_URL_BYTES: usize = 1024;

/// The statuses gemhole sends: the first line's two digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 10: the meta is a prompt; the client asks the reader and requests again with a query.
    Input,
    /// 20: the meta is the body's media type.
    Success,
    /// 31: the meta is where the resource lives now.
    PermanentRedirect,
    /// 40: try again later; the meta says why.
    TemporaryFailure,
    /// 44: the meta is how many seconds to wait before trying again.
    SlowDown,
    /// 51: nothing here.
    NotFound,
    /// 53: the request was for a host, port or scheme this server does not serve.
    ProxyRequestRefused,
    /// 59: the request itself was malformed.
    BadRequest,
}

impl Status {
    pub fn code(self) -> u8 {
        match self {
            Status::Input => 10,
            Status::Success => 20,
            Status::PermanentRedirect => 31,
            Status::TemporaryFailure => 40,
            Status::SlowDown => 44,
            Status::NotFound => 51,
            Status::ProxyRequestRefused => 53,
            Status::BadRequest => 59,
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code())
    }
}
