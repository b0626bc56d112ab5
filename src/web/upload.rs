//! Reading a multipart form: one file and a few text fields, each field size-limited while it
//! streams in (a larger text field is refused with 413, a larger file is reported as `oversized`
//! for the page to explain; neither is held in memory).

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use std::task::Poll;

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderMap};
use actix_web::mime;
use actix_web::web::Bytes;
use futures_util::{Stream, StreamExt};

use super::errors::AppError;

/// Shortest boundary accepted. actix-multipart 0.7 panics on some bodies with a boundary of up to
/// three bytes (it slices a line before the first boundary as if it were at least four long);
/// browsers send boundaries of 30 bytes and more.
const MIN_BOUNDARY: usize = 4;

/// A multipart body being read: the parser, and whether the bytes underneath have all arrived.
pub struct Body {
    parts: Multipart,
    ended: Rc<Cell<bool>>,
    short_boundary: bool,
}

impl Body {
    /// The body `stream` of a request with `headers` (whose content type gives the boundary).
    pub fn new<S>(headers: &HeaderMap, stream: S) -> Body
    where
        S: Stream<Item = Result<Bytes, PayloadError>> + 'static,
    {
        let ended = Rc::new(Cell::new(false));
        let flag = Rc::clone(&ended);
        let mut stream = Box::pin(stream);
        let watched = futures_util::stream::poll_fn(move |cx| {
            let item = stream.as_mut().poll_next(cx);
            if let Poll::Ready(None) = item {
                flag.set(true);
            }
            item
        });
        let short_boundary = (headers.get(header::CONTENT_TYPE))
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<mime::Mime>().ok())
            .and_then(|mime| mime.get_param(mime::BOUNDARY).map(|b| b.as_str().len()))
            .is_some_and(|length| length < MIN_BOUNDARY);
        Body {
            parts: Multipart::new(headers, watched),
            ended,
            short_boundary,
        }
    }
}

/// The next item of `stream` (the parser or one of its fields), or `BadRequest` when the parser
/// waits for more although the body has ended: actix-multipart 0.7 then returns `Pending` without
/// ever waking the request (a body that ends in a field's `\r\n`, say), which would hang it.
async fn next<S: Stream + Unpin>(
    stream: &mut S,
    ended: &Cell<bool>,
) -> Result<Option<S::Item>, AppError> {
    std::future::poll_fn(|cx| match stream.poll_next_unpin(cx) {
        Poll::Pending if ended.get() => Poll::Ready(Err(AppError::BadRequest)),
        polled => polled.map(Ok),
    })
    .await
}

/// What a multipart form sent.
#[derive(Debug, Default)]
pub struct Upload {
    /// The text fields by name (the last one wins).
    pub fields: HashMap<String, String>,
    /// The file's name as the browser gave it, without any folder.
    pub file_name: String,
    /// The file's bytes (empty when none was chosen).
    pub file: Vec<u8>,
    /// The file was larger than the limit: reading stopped there, and `file` is empty. The fields
    /// before it (the CSRF token comes first in every form) were read, so the page can say so.
    pub oversized: bool,
}

impl Upload {
    /// The text field `name`, or `""`.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Reads the form; the field `file_field` is the file, every field at most `limit` bytes.
pub async fn read(body: Body, file_field: &str, limit: usize) -> Result<Upload, AppError> {
    let Body {
        mut parts,
        ended,
        short_boundary,
    } = body;
    if short_boundary {
        return Err(AppError::BadRequest);
    }
    let mut upload = Upload::default();
    while let Some(field) = next(&mut parts, &ended).await? {
        let mut field = field.map_err(|_| AppError::BadRequest)?;
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_field {
            upload.file_name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f).to_owned())
                .unwrap_or_default();
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = next(&mut field, &ended).await? {
            let chunk = chunk.map_err(|_| AppError::BadRequest)?;
            if bytes.len() + chunk.len() > limit {
                if name == file_field {
                    // Oversized means no file, also where an earlier field of the same name was
                    // small (found by fuzzing): the page must not take that one for the upload.
                    upload.oversized = true;
                    upload.file = Vec::new();
                    return Ok(upload);
                }
                return Err(AppError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == file_field {
            upload.file = bytes;
        } else {
            upload
                .fields
                .insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(upload)
}
