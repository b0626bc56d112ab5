//! Reading a multipart form: one file and a few text fields, each field size-limited while it
//! streams in (a larger text field is refused with 413, a larger file is reported as `oversized`
//! for the page to explain; neither is held in memory).

use std::collections::HashMap;

use actix_multipart::Multipart;
use futures_util::StreamExt;

use super::errors::AppError;

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
pub async fn read(
    mut payload: Multipart,
    file_field: &str,
    limit: usize,
) -> Result<Upload, AppError> {
    let mut upload = Upload::default();
    while let Some(field) = payload.next().await {
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
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| AppError::BadRequest)?;
            if bytes.len() + chunk.len() > limit {
                if name == file_field {
                    upload.oversized = true;
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
