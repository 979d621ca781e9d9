//! PDF image data as files Tesseract (leptonica) reads: raw samples as PNM, CCITT fax data
//! inside a TIFF header.

use lopdf::{Dictionary, Document, Object};

use super::objects::{boolean, deref, get, int};
use crate::extract::ocr::OcrError;

/// A TIFF around CCITT fax data, so leptonica/libtiff decodes it.
pub(super) fn ccitt_tiff(
    doc: &Document,
    dict: &Dictionary,
    p: Option<&Dictionary>,
    data: &[u8],
    width: u32,
    height: u32,
) -> Result<Vec<u8>, OcrError> {
    let k = p.and_then(|p| int(doc, p, b"K")).unwrap_or(0);
    let columns = p
        .and_then(|p| int(doc, p, b"Columns"))
        .unwrap_or(i64::from(width));
    if columns != i64::from(width) {
        return Err(OcrError::Image(format!(
            "fax image of {columns} columns drawn {width} pixels wide"
        )));
    }
    let black_is_1 = p.is_some_and(|p| boolean(doc, p, b"BlackIs1"));
    let byte_align = p.is_some_and(|p| boolean(doc, p, b"EncodedByteAlign"));
    let inverted = decode_inverted(doc, dict);
    // TIFF's decoder writes black runs as 1: WhiteIsZero shows them black, which is PDF's
    // default (BlackIs1 false); BlackIs1 or an inverting Decode array flips it.
    let photometric: u32 = u32::from(black_is_1 != inverted);
    let (compression, options_tag, options): (u32, u16, u32) = if k < 0 {
        (4, 293, 0)
    } else {
        (3, 292, u32::from(k > 0) | if byte_align { 4 } else { 0 })
    };
    let entries: Vec<(u16, u16, u32)> = vec![
        (256, 4, width),
        (257, 4, height),
        (258, 3, 1),
        (259, 3, compression),
        (262, 3, photometric),
        (273, 4, 0), // strip offset, filled below
        (277, 3, 1),
        (278, 4, height),
        (279, 4, data.len() as u32),
        (options_tag, 4, options),
    ];
    let ifd_len = 2 + entries.len() * 12 + 4;
    let data_offset = (8 + ifd_len) as u32;
    let mut out = Vec::with_capacity(data.len() + 8 + ifd_len);
    out.extend_from_slice(b"II*\0");
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, typ, value) in entries {
        let value = if tag == 273 { data_offset } else { value };
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        if typ == 3 {
            out.extend_from_slice(&(value as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(data);
    Ok(out)
}

/// Whether the image's Decode array maps its first component from high to low ([1 0]).
fn decode_inverted(doc: &Document, dict: &Dictionary) -> bool {
    let num = |o: &Object| match deref(doc, o) {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    };
    match get(doc, dict, b"Decode") {
        Some(Object::Array(a)) if a.len() >= 2 => match (num(&a[0]), num(&a[1])) {
            (Some(lo), Some(hi)) => lo > hi,
            _ => false,
        },
        _ => false,
    }
}

enum Space {
    Gray,
    Rgb,
    Cmyk,
    /// Palette of RGB triples.
    Indexed(Vec<[u8; 3]>),
}

fn space_of(doc: &Document, o: Option<&Object>, depth: u8) -> Result<Space, OcrError> {
    let o = o.map(|o| deref(doc, o));
    let unsupported = |what: String| OcrError::Image(format!("unsupported colour space {what}"));
    match o {
        None => Ok(Space::Gray),
        Some(Object::Name(n)) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => Ok(Space::Gray),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Ok(Space::Rgb),
            b"DeviceCMYK" | b"CMYK" => Ok(Space::Cmyk),
            other => Err(unsupported(String::from_utf8_lossy(other).into_owned())),
        },
        Some(Object::Array(a)) if !a.is_empty() => {
            let family = deref(doc, &a[0]).as_name().unwrap_or(b"");
            match family {
                b"CalGray" => Ok(Space::Gray),
                b"CalRGB" | b"Lab" => Ok(Space::Rgb),
                b"ICCBased" => {
                    let n = a
                        .get(1)
                        .and_then(|s| deref(doc, s).as_stream().ok())
                        .and_then(|s| int(doc, &s.dict, b"N"))
                        .unwrap_or(3);
                    Ok(match n {
                        1 => Space::Gray,
                        4 => Space::Cmyk,
                        _ => Space::Rgb,
                    })
                }
                b"Indexed" | b"I" if depth == 0 && a.len() >= 4 => {
                    let base = space_of(doc, a.get(1), 1)?;
                    let hival = match deref(doc, &a[2]) {
                        Object::Integer(i) => (*i).clamp(0, 255) as usize,
                        _ => 255,
                    };
                    let table: Vec<u8> = match deref(doc, &a[3]) {
                        Object::String(s, _) => s.clone(),
                        Object::Stream(s) => s
                            .decompressed_content_with_limit(4096)
                            .unwrap_or_else(|_| s.content.clone()),
                        _ => Vec::new(),
                    };
                    let comps = match base {
                        Space::Gray => 1,
                        Space::Rgb => 3,
                        Space::Cmyk => 4,
                        Space::Indexed(_) => return Err(unsupported("nested Indexed".into())),
                    };
                    let palette = (0..=hival)
                        .map(|i| {
                            let c = |k: usize| table.get(i * comps + k).copied().unwrap_or(0);
                            match comps {
                                1 => [c(0); 3],
                                4 => [cmyk_grey(c(0), c(1), c(2), c(3)); 3],
                                _ => [c(0), c(1), c(2)],
                            }
                        })
                        .collect();
                    Ok(Space::Indexed(palette))
                }
                other => Err(unsupported(String::from_utf8_lossy(other).into_owned())),
            }
        }
        Some(_) => Err(unsupported("of unknown form".into())),
    }
}

fn cmyk_grey(c: u8, m: u8, y: u8, k: u8) -> u8 {
    let ink = 0.3 * f32::from(c) + 0.59 * f32::from(m) + 0.11 * f32::from(y) + f32::from(k);
    255 - ink.min(255.0) as u8
}

/// Raw samples as a PNM file.
pub(super) fn pnm(
    doc: &Document,
    dict: &Dictionary,
    samples: &[u8],
    w: u32,
    h: u32,
) -> Result<Vec<u8>, OcrError> {
    let mask = boolean(doc, dict, b"ImageMask");
    let bpc = if mask {
        1
    } else {
        int(doc, dict, b"BitsPerComponent").unwrap_or(8)
    };
    if ![1, 2, 4, 8, 16].contains(&bpc) {
        return Err(OcrError::Image(format!("{bpc} bits per component")));
    }
    let bpc = bpc as usize;
    let space = if mask {
        Space::Gray
    } else {
        space_of(doc, get(doc, dict, b"ColorSpace"), 0)?
    };
    let comps = match &space {
        Space::Gray | Space::Indexed(_) => 1,
        Space::Rgb => 3,
        Space::Cmyk => 4,
    };
    let (w, h) = (w as usize, h as usize);
    let row = (w * comps * bpc).div_ceil(8);
    let need = row
        .checked_mul(h)
        .ok_or_else(|| OcrError::Image("image too large".into()))?;
    if samples.len() < need {
        return Err(OcrError::Image(format!(
            "image data is short: {} of {need} bytes",
            samples.len()
        )));
    }
    // An image mask paints its 0 samples and in plain grey 0 is black: the same polarity, which
    // an inverting Decode array flips.
    let invert = decode_inverted(doc, dict);
    if bpc == 1 && comps == 1 && !matches!(space, Space::Indexed(_)) {
        // PBM: 1 is black, PDF grey: 0 is black (flip unless inverted).
        let mut out = format!("P4\n{w} {h}\n").into_bytes();
        out.reserve(need);
        for r in 0..h {
            let line = &samples[r * row..(r + 1) * row];
            if invert {
                out.extend_from_slice(line);
            } else {
                out.extend(line.iter().map(|b| !b));
            }
        }
        return Ok(out);
    }
    let sample = |line: &[u8], i: usize| -> u8 {
        match bpc {
            8 => line[i],
            16 => line[2 * i],
            _ => {
                let bit = i * bpc;
                let v = (line[bit / 8] >> (8 - bpc - bit % 8)) & ((1u8 << bpc) - 1);
                if matches!(space, Space::Indexed(_)) {
                    v
                } else {
                    (u32::from(v) * 255 / ((1u32 << bpc) - 1)) as u8
                }
            }
        }
    };
    let colour = matches!(space, Space::Rgb | Space::Indexed(_));
    let mut out = format!("{}\n{w} {h}\n255\n", if colour { "P6" } else { "P5" }).into_bytes();
    out.reserve(w * h * if colour { 3 } else { 1 });
    for r in 0..h {
        let line = &samples[r * row..(r + 1) * row];
        for x in 0..w {
            let s = |c: usize| sample(line, x * comps + c);
            let px: [u8; 3] = match &space {
                Space::Gray => [s(0); 3],
                Space::Rgb => [s(0), s(1), s(2)],
                Space::Cmyk => [cmyk_grey(s(0), s(1), s(2), s(3)); 3],
                Space::Indexed(p) => p.get(usize::from(s(0))).copied().unwrap_or([255; 3]),
            };
            let px = if invert && !matches!(space, Space::Indexed(_)) {
                px.map(|v| 255 - v)
            } else {
                px
            };
            if colour {
                out.extend_from_slice(&px);
            } else {
                out.push(px[0]);
            }
        }
    }
    Ok(out)
}
