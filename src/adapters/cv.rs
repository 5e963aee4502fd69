//! CV files: finding a profile's CV, reading its text out of `.docx`, `.pdf`, `.md` or `.txt`,
//! and hashing it. All file I/O on CVs lives here.
//!
//! The text is tidied the same way for every format: lines trimmed, control characters
//! dropped, at most one blank line in a row, none at the start or end.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::Event;
use sha2::{Digest, Sha256};

/// The largest CV file read, in bytes (20 MiB).
pub const MAX_CV_BYTES: u64 = 20 * 1024 * 1024;

/// The largest `word/document.xml` inflated out of a `.docx`, in bytes (64 MiB): a guard
/// against zip bombs.
const MAX_DOCX_XML_BYTES: u64 = 64 * 1024 * 1024;

/// The largest decompressed content of one PDF page, in bytes (a guard against PDF bombs).
const MAX_PDF_PAGE_BYTES: usize = 32 * 1024 * 1024;

/// The CV file names a profile folder may hold, in the order they are looked for.
pub const CV_FILE_NAMES: [&str; 4] = ["cv.docx", "cv.pdf", "cv.md", "cv.txt"];

/// Why a CV could not be found or read; every message names the file (or the folder).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvError {
    #[error("CV not found: {path} does not exist")]
    NotFound { path: PathBuf },
    #[error("no CV in {dir}: expected cv.docx, cv.pdf, cv.md or cv.txt")]
    NoCv { dir: PathBuf },
    #[error(
        "CV file {path} has an unsupported extension {extension:?}: use .docx, .pdf, .md or .txt"
    )]
    Unsupported { path: PathBuf, extension: String },
    #[error("CV file {path} is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("cannot read CV file {path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("CV file {path} has no text")]
    Empty { path: PathBuf },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Docx,
    Pdf,
    PlainText,
}

fn format_of(path: &Path) -> Result<Format, CvError> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "docx" => Ok(Format::Docx),
        "pdf" => Ok(Format::Pdf),
        "md" | "markdown" | "txt" => Ok(Format::PlainText),
        _ => Err(CvError::Unsupported {
            path: path.to_path_buf(),
            extension,
        }),
    }
}

fn unreadable(path: &Path, reason: impl std::fmt::Display) -> CvError {
    CvError::Unreadable {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

fn open_error(path: &Path, e: std::io::Error) -> CvError {
    if e.kind() == std::io::ErrorKind::NotFound {
        CvError::NotFound {
            path: path.to_path_buf(),
        }
    } else {
        unreadable(path, e)
    }
}

/// Reads at most `MAX_CV_BYTES` of a regular file.
fn read_limited(path: &Path) -> Result<Vec<u8>, CvError> {
    let file = std::fs::File::open(path).map_err(|e| open_error(path, e))?;
    let meta = file.metadata().map_err(|e| unreadable(path, e))?;
    if !meta.is_file() {
        return Err(unreadable(path, "not a regular file"));
    }
    let too_large = |size| CvError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: MAX_CV_BYTES,
    };
    if meta.len() > MAX_CV_BYTES {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow between the size check and the read.
    file.take(MAX_CV_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, e))?;
    if bytes.len() as u64 > MAX_CV_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The tidied text of a CV, by its extension (case-insensitive): `.docx`, `.pdf`,
/// `.md` (or `.markdown`) and `.txt`.
pub fn extract_text(path: &Path) -> Result<String, CvError> {
    let format = format_of(path)?;
    let bytes = read_limited(path)?;
    let empty = || CvError::Empty {
        path: path.to_path_buf(),
    };
    if bytes.is_empty() {
        return Err(empty());
    }
    let raw = match format {
        Format::Docx => docx_text(&bytes).map_err(|reason| unreadable(path, reason))?,
        Format::Pdf => pdf_text(&bytes).map_err(|reason| unreadable(path, reason))?,
        Format::PlainText => plain_text(&bytes),
    };
    let text = tidy(&raw);
    if text.is_empty() {
        return Err(empty());
    }
    Ok(text)
}

/// The profile folder's CV: the first of `cv.docx`, `cv.pdf`, `cv.md`, `cv.txt` present
/// (names matched case-insensitively, so `CV.PDF` counts).
pub fn find_cv(dir: &Path) -> Result<PathBuf, CvError> {
    let entries = std::fs::read_dir(dir).map_err(|e| open_error(dir, e))?;
    let mut found: Vec<(usize, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(dir, e))?;
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        let Some(rank) = CV_FILE_NAMES.iter().position(|n| *n == name) else {
            continue;
        };
        // Follows symlinks: a linked CV is fine.
        if std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file()) {
            found.push((rank, entry.path()));
        }
    }
    // Rank first, then the exact name, so the choice does not depend on directory order.
    found.sort();
    found
        .into_iter()
        .next()
        .map(|(_, path)| path)
        .ok_or_else(|| CvError::NoCv {
            dir: dir.to_path_buf(),
        })
}

/// The SHA-256 of a file's bytes, as 64 lowercase hex characters.
pub fn sha256_file(path: &Path) -> Result<String, CvError> {
    let mut file = std::fs::File::open(path).map_err(|e| open_error(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(unreadable(path, e)),
        };
        hasher.update(&buf[..n]);
    }
    Ok(crate::domain::hex(&hasher.finalize()))
}

/// The Latin ligatures typesetters (TeX, InDesign) put in PDFs, spelled out so that
/// "ﬁle" matches "file".
fn push_unligatured(line: &mut String, c: char) {
    match c {
        '\u{FB00}' => line.push_str("ff"),
        '\u{FB01}' => line.push_str("fi"),
        '\u{FB02}' => line.push_str("fl"),
        '\u{FB03}' => line.push_str("ffi"),
        '\u{FB04}' => line.push_str("ffl"),
        '\u{FB05}' | '\u{FB06}' => line.push_str("st"),
        c => line.push(c),
    }
}

/// Trims every line, drops control characters (tabs stay inside a line), spells out
/// ligatures, keeps at most one blank line in a row and none at either end.
fn tidy(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank_pending = false;
    let normalized = raw.replace("\r\n", "\n").replace('\r', "\n");
    for line in normalized.split('\n') {
        let mut cleaned = String::with_capacity(line.len());
        for c in line.chars().filter(|c| *c == '\t' || !c.is_control()) {
            push_unligatured(&mut cleaned, c);
        }
        let line = cleaned;
        let line = line.trim();
        if line.is_empty() {
            blank_pending = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_pending {
                out.push('\n');
            }
        }
        blank_pending = false;
        out.push_str(line);
    }
    out
}

/// UTF-8 (lossy) with an optional BOM; UTF-16 when it starts with a UTF-16 BOM.
fn plain_text(bytes: &[u8]) -> String {
    let utf16 = |big_endian: bool, body: &[u8]| {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|p| {
                if big_endian {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        [0xFF, 0xFE, rest @ ..] => utf16(false, rest),
        [0xFE, 0xFF, rest @ ..] => utf16(true, rest),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The text of `word/document.xml` in a `.docx` (a zip archive).
fn docx_text(bytes: &[u8]) -> Result<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a .docx (zip) file: {e}"))?;
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|e| format!("no word/document.xml in the .docx: {e}"))?;
    let mut xml = Vec::new();
    entry
        .take(MAX_DOCX_XML_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|e| format!("cannot inflate word/document.xml: {e}"))?;
    if xml.len() as u64 > MAX_DOCX_XML_BYTES {
        return Err(format!(
            "word/document.xml inflates to over {MAX_DOCX_XML_BYTES} bytes"
        ));
    }
    let xml = String::from_utf8_lossy(&xml);
    document_xml_text(xml.strip_prefix('\u{feff}').unwrap_or(&xml))
        .map_err(|e| format!("word/document.xml: {e}"))
}

/// WordprocessingML to text: `w:t` runs, a newline after each `w:p`, `\t` for `w:tab`,
/// `\n` for `w:br` / `w:cr`. Tab stops (`w:tabs` in paragraph properties) and the
/// legacy copy of text boxes under `mc:Fallback` are skipped.
fn document_xml_text(xml: &str) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = false;
    // One entry per open `w:p`: whether a paragraph nested in it (a text box) has ended.
    let mut paragraphs: Vec<bool> = Vec::new();
    // Depth inside elements whose content is not document text.
    let mut skip_depth = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("{e} at byte {}", reader.error_position()))?;
        match event {
            Event::Start(e) => match e.name().as_ref() {
                "w:tabs" | "mc:Fallback" => skip_depth += 1,
                "w:t" => in_text = skip_depth == 0,
                "w:p" => paragraphs.push(false),
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "w:tabs" | "mc:Fallback" => skip_depth = skip_depth.saturating_sub(1),
                "w:t" => in_text = false,
                "w:p" => {
                    let held_paragraph = paragraphs.pop().unwrap_or(false);
                    if let Some(outer) = paragraphs.last_mut() {
                        *outer = true;
                    }
                    // A paragraph around a text box ends where the box's last one did.
                    if skip_depth == 0 && !(held_paragraph && out.ends_with('\n')) {
                        out.push('\n');
                    }
                }
                _ => {}
            },
            Event::Empty(e) if skip_depth == 0 => match e.name().as_ref() {
                "w:tab" | "w:ptab" => out.push('\t'),
                "w:br" | "w:cr" | "w:p" => out.push('\n'),
                "w:noBreakHyphen" => out.push('-'),
                _ => {}
            },
            Event::Text(t) if in_text => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_text => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
                    out.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    out.push_str(s);
                } else {
                    // Not declared by WordprocessingML: keep it as written.
                    out.push('&');
                    out.push_str(&r);
                    out.push(';');
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The text of every page of a PDF, read with `lopdf`: fonts decoded through their
/// encodings (ToUnicode maps included), a new line where the text moves down, a space
/// where it jumps right. Pages that fail are skipped while any page gives text.
fn pdf_text(bytes: &[u8]) -> Result<String, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("not a readable PDF: {e}"))?;
    let mut out = String::new();
    let mut first_error = None;
    for (number, page_id) in doc.get_pages() {
        match pdf_page_text(&doc, page_id) {
            Ok(text) => {
                out.push_str(&text);
                out.push('\n');
            }
            Err(e) => {
                first_error.get_or_insert_with(|| format!("page {number}: {e}"));
            }
        }
    }
    match first_error {
        Some(e) if out.trim().is_empty() => Err(e),
        _ => Ok(out),
    }
}

fn number(object: Option<&lopdf::Object>) -> f32 {
    object.and_then(|o| o.as_float().ok()).unwrap_or(0.0)
}

fn pdf_page_text(doc: &lopdf::Document, page_id: lopdf::ObjectId) -> lopdf::Result<String> {
    use std::collections::BTreeMap;

    let encodings: BTreeMap<Vec<u8>, lopdf::Encoding> = doc
        .get_page_fonts(page_id)?
        .into_iter()
        .filter_map(|(name, font)| {
            font.get_font_encoding_with_limit(doc, MAX_PDF_PAGE_BYTES)
                .ok()
                .map(|encoding| (name, encoding))
        })
        .collect();
    let content = doc.get_page_content_with_limit(page_id, MAX_PDF_PAGE_BYTES)?;
    let content = lopdf::content::Content::decode(&content)?;

    let mut out = String::new();
    let mut encoding: Option<&lopdf::Encoding> = None;
    // The y of the last text matrix set with Tm, to tell a new line from a move along it.
    let mut line_y: Option<f32> = None;
    let new_line = |out: &mut String| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    };
    let space = |out: &mut String| {
        if !out.is_empty() && !out.ends_with(char::is_whitespace) {
            out.push(' ');
        }
    };
    fn show(out: &mut String, encoding: Option<&lopdf::Encoding>, bytes: &[u8]) {
        if let Some(text) = encoding.and_then(|enc| lopdf::Document::decode_text(enc, bytes).ok()) {
            out.push_str(&text);
        }
    }
    for op in &content.operations {
        let operands = &op.operands;
        match op.operator.as_str() {
            "Tf" => {
                encoding = operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|name| encodings.get(name));
            }
            "BT" | "ET" | "T*" => new_line(&mut out),
            "Td" | "TD" => {
                let (tx, ty) = (number(operands.first()), number(operands.get(1)));
                if ty.abs() > 0.01 {
                    new_line(&mut out);
                } else if tx > 0.01 {
                    space(&mut out);
                }
            }
            "Tm" => {
                let y = number(operands.get(5));
                match line_y {
                    Some(previous) if (previous - y).abs() <= 0.01 => space(&mut out),
                    _ => new_line(&mut out),
                }
                line_y = Some(y);
            }
            "Tj" => {
                if let Some(Ok(bytes)) = operands.first().map(|o| o.as_str()) {
                    show(&mut out, encoding, bytes);
                }
            }
            "'" | "\"" => {
                new_line(&mut out);
                if let Some(Ok(bytes)) = operands.last().map(|o| o.as_str()) {
                    show(&mut out, encoding, bytes);
                }
            }
            "TJ" => {
                let items = operands.first().and_then(|o| o.as_array().ok());
                for item in items.into_iter().flatten() {
                    match item {
                        lopdf::Object::String(bytes, _) => show(&mut out, encoding, bytes),
                        // A gap wider than about a fifth of an em reads as a space.
                        other if other.as_float().is_ok_and(|kern| kern < -200.0) => {
                            space(&mut out)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    fn docx_bytes(document_xml: &str, method: zip::CompressionMethod) -> Vec<u8> {
        let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        zip.start_file("[Content_Types].xml", options).unwrap();
        zip.write_all(content_types.as_bytes()).unwrap();
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(document_xml.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}</w:body></w:document>"#
        )
    }

    #[test]
    fn docx_paragraphs_tabs_breaks_and_entities() {
        let body = concat!(
            // Tab stops in the paragraph properties are not text.
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="2880"/></w:tabs></w:pPr>"#,
            r#"<w:r><w:t>Jane Doe</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">Senior Rust </w:t></w:r>"#,
            r#"<w:r><w:t>Engi</w:t></w:r><w:r><w:t>neer</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:t>Research &amp; Development</w:t><w:br/><w:t>Zürich &#8211; Schweiz</w:t></w:r></w:p>"#,
        );
        let dir = tempfile::tempdir().unwrap();
        for method in [
            zip::CompressionMethod::Stored,
            zip::CompressionMethod::Deflated,
        ] {
            let path = write(dir.path(), "cv.docx", &docx_bytes(&document(body), method));
            assert_eq!(
                extract_text(&path).unwrap(),
                "Jane Doe\tSenior Rust Engineer\nResearch & Development\nZürich – Schweiz",
                "{method:?}"
            );
        }
    }

    #[test]
    fn docx_skips_field_codes_fallbacks_and_collapses_blank_paragraphs() {
        let body = concat!(
            r#"<w:p><w:r><w:t>Skills</w:t></w:r></w:p><w:p/><w:p></w:p><w:p/>"#,
            r#"<w:p><w:r><w:instrText> HYPERLINK "x" </w:instrText></w:r><w:r><w:t>Rust</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><mc:AlternateContent><mc:Choice><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></mc:Choice>"#,
            r#"<mc:Fallback><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></mc:Fallback></mc:AlternateContent></w:r></w:p>"#,
            r#"<w:p><w:r><w:t>a<![CDATA[<b>]]>c</w:t><w:cr/><w:t>x</w:t><w:noBreakHyphen/><w:t>y</w:t></w:r></w:p>"#,
        );
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "CV.DOCX",
            &docx_bytes(&document(body), zip::CompressionMethod::Deflated),
        );
        assert_eq!(
            extract_text(&path).unwrap(),
            "Skills\n\nRust\nBoxed\na<b>c\nx-y"
        );
    }

    #[test]
    fn docx_that_is_not_a_zip_or_has_no_document_is_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "cv.docx", b"not a zip at all");
        let err = extract_text(&path).unwrap_err();
        assert!(matches!(&err, CvError::Unreadable { path: p, .. } if *p == path));
        assert!(err.to_string().contains("cv.docx"), "{err}");

        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("other.xml", options).unwrap();
        zip.write_all(b"<x/>").unwrap();
        let path = write(dir.path(), "cv.docx", &zip.finish().unwrap().into_inner());
        let err = extract_text(&path).unwrap_err().to_string();
        assert!(err.contains("word/document.xml"), "{err}");

        let broken = document("<w:p><w:r><w:t>open</w:r></w:p>");
        let path = write(
            dir.path(),
            "cv.docx",
            &docx_bytes(&broken, zip::CompressionMethod::Stored),
        );
        assert!(matches!(
            extract_text(&path),
            Err(CvError::Unreadable { .. })
        ));
    }

    #[test]
    fn docx_without_text_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "cv.docx",
            &docx_bytes(&document("<w:p/><w:p/>"), zip::CompressionMethod::Stored),
        );
        assert_eq!(extract_text(&path), Err(CvError::Empty { path }));
    }

    /// A one-page PDF in Helvetica whose content stream is `content`, with a correct xref.
    fn pdf_bytes(content: &str) -> Vec<u8> {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
             /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
                .to_string(),
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len() + 1
            ),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
                .to_string(),
        ];
        let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref_at = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for offset in offsets {
            pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    #[test]
    fn pdf_text_lines_and_kerned_words() {
        let content = "BT /F1 24 Tf 72 720 Td (Senior Rust Engineer) Tj \
                       0 -30 Td (Berlin, M\\374nchen) Tj \
                       0 -30 Td [(Kuber) -20 (netes) -400 (Docker)] TJ ET\n\
                       BT /F1 12 Tf 1 0 0 1 72 600 Tm (Skills:) Tj \
                       1 0 0 1 140 600 Tm (Rust) Tj ET";
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "cv.pdf", &pdf_bytes(content));
        assert_eq!(
            extract_text(&path).unwrap(),
            "Senior Rust Engineer\nBerlin, München\nKubernetes Docker\nSkills: Rust"
        );
    }

    #[test]
    fn pdf_that_is_broken_is_unreadable_and_one_without_text_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "cv.pdf", b"%PDF-1.4\ngarbage");
        let err = extract_text(&path).unwrap_err();
        assert!(matches!(err, CvError::Unreadable { .. }), "{err:?}");
        assert!(err.to_string().contains("cv.pdf"), "{err}");

        let path = write(dir.path(), "blank.pdf", &pdf_bytes("0 0 m 10 10 l S"));
        assert_eq!(extract_text(&path), Err(CvError::Empty { path }));
    }

    #[test]
    fn markdown_and_text_round_trip_tidied() {
        let dir = tempfile::tempdir().unwrap();
        let text = "# Jane Doe  \r\n\r\n\r\n   Rust, Go\t\n\n\n\n- Berlin\n";
        let md = write(dir.path(), "cv.md", text.as_bytes());
        let expected = "# Jane Doe\n\nRust, Go\n\n- Berlin";
        assert_eq!(extract_text(&md).unwrap(), expected);
        let txt = write(dir.path(), "cv.TXT", text.as_bytes());
        assert_eq!(extract_text(&txt).unwrap(), expected);
    }

    #[test]
    fn text_bom_is_stripped_and_bad_utf8_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "cv.txt", b"\xEF\xBB\xBFJane\nZ\xFCrich");
        assert_eq!(extract_text(&path).unwrap(), "Jane\nZ\u{FFFD}rich");

        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("Zürich".encode_utf16().flat_map(u16::to_le_bytes));
        let path = write(dir.path(), "cv.txt", &utf16);
        assert_eq!(extract_text(&path).unwrap(), "Zürich");
    }

    #[test]
    fn unknown_extension_is_unsupported() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "cv.rtf", b"{\\rtf1 hi}");
        let err = extract_text(&path).unwrap_err();
        assert_eq!(
            err,
            CvError::Unsupported {
                path: path.clone(),
                extension: "rtf".into()
            }
        );
        assert!(err.to_string().contains("cv.rtf"), "{err}");
        let bare = write(dir.path(), "cv", b"text");
        assert!(matches!(
            extract_text(&bare),
            Err(CvError::Unsupported { extension, .. }) if extension.is_empty()
        ));
    }

    #[test]
    fn missing_file_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cv.md");
        let err = extract_text(&path).unwrap_err();
        assert_eq!(err, CvError::NotFound { path: path.clone() });
        assert!(err.to_string().contains("cv.md"));
        assert_eq!(sha256_file(&path), Err(CvError::NotFound { path }));
    }

    #[test]
    fn empty_or_blank_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [("cv.txt", &b""[..]), ("cv.md", b" \n\t\n"), ("cv.pdf", b"")] {
            let path = write(dir.path(), name, bytes);
            let err = extract_text(&path).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
            assert_eq!(err, CvError::Empty { path });
        }
    }

    #[test]
    fn oversized_file_is_too_large() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cv.txt");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_CV_BYTES + 1).unwrap();
        assert_eq!(
            extract_text(&path),
            Err(CvError::TooLarge {
                path,
                size: MAX_CV_BYTES + 1,
                limit: MAX_CV_BYTES
            })
        );
    }

    #[test]
    fn find_cv_takes_the_first_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(
            find_cv(d),
            Err(CvError::NoCv {
                dir: d.to_path_buf()
            })
        );
        write(d, "notes.txt", b"x");
        write(d, "cv.rtf", b"x");
        std::fs::create_dir(d.join("cv.docx")).unwrap(); // a folder is not a CV
        assert!(matches!(find_cv(d), Err(CvError::NoCv { .. })));
        write(d, "cv.txt", b"x");
        assert_eq!(find_cv(d).unwrap(), d.join("cv.txt"));
        write(d, "cv.md", b"x");
        assert_eq!(find_cv(d).unwrap(), d.join("cv.md"));
        write(d, "CV.PDF", b"x");
        assert_eq!(find_cv(d).unwrap(), d.join("CV.PDF"));
        std::fs::remove_dir(d.join("cv.docx")).unwrap();
        write(d, "cv.docx", b"x");
        assert_eq!(find_cv(d).unwrap(), d.join("cv.docx"));

        let missing = d.join("nope");
        assert_eq!(find_cv(&missing), Err(CvError::NotFound { path: missing }));
    }

    #[test]
    fn sha256_matches_known_vectors() {
        let dir = tempfile::tempdir().unwrap();
        // printf 'abc' | sha256sum
        let path = write(dir.path(), "cv.txt", b"abc");
        assert_eq!(
            sha256_file(&path).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let path = write(dir.path(), "empty", b"");
        assert_eq!(
            sha256_file(&path).unwrap(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn tidy_trims_and_collapses() {
        assert_eq!(
            tidy("\n\n  a  \n\n\n\nb\u{0c}\n \n c\td \n\n"),
            "a\n\nb\n\nc\td"
        );
        assert_eq!(tidy(" \n\t\n"), "");
        assert_eq!(tidy("e\u{FB03}cient \u{FB01}le\r\nx"), "efficient file\nx");
    }
}
