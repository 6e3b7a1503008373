//! QR codes of payment URIs (ISO/IEC 18004), drawn as SVG markup.
//!
//! A small encoder of our own: byte mode, error correction level M, versions 1 to 40, the
//! spec's eight masks and penalty rules. A general QR crate carries Micro QR, Kanji and mode
//! optimisation that a URI never needs, and was the largest single part of the download.

mod codewords;
mod matrix;
mod penalty;

pub use matrix::Matrix;

/// Modules of light border around the code (the quiet zone readers need).
const QUIET: usize = 4;

/// The QR code of `data`, at the smallest version that holds it, with the best mask.
pub fn encode(data: &[u8]) -> Option<Matrix> {
    let version = (1..=40).find(|&v| codewords::fits(v, data.len()))?;
    let base = matrix::layout(version, &codewords::codewords(version, data));
    (0..8).map(|mask| matrix::masked(&base, mask)).min_by_key(penalty::penalty)
}

/// `data` at `version` with `mask`, or `None` if it does not fit.
pub fn encode_with(data: &[u8], version: usize, mask: u8) -> Option<Matrix> {
    codewords::fits(version, data.len())
        .then(|| matrix::masked(&matrix::layout(version, &codewords::codewords(version, data)), mask))
}

/// Appends `n` in decimal. The widget does without `format!` (see `crate::format`).
fn push_num(s: &mut String, n: usize) {
    if n >= 10 {
        push_num(s, n / 10);
    }
    s.push(char::from(b'0' + (n % 10) as u8));
}

/// An SVG QR code of `text`, or `None` if it is too long for a QR code.
pub fn svg(text: &str) -> Option<String> {
    let code = encode(text.as_bytes())?;
    let size = code.size + 2 * QUIET;
    let mut s = String::with_capacity(code.size * code.size * 4 + 256);
    s.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#);
    push_num(&mut s, size);
    s.push(' ');
    push_num(&mut s, size);
    s.push_str(r#"" shape-rendering="crispEdges"><rect width=""#);
    push_num(&mut s, size);
    s.push_str(r#"" height=""#);
    push_num(&mut s, size);
    s.push_str(r##"" fill="#fff"/><path fill="#000" d=""##);
    // One rectangle per run of dark modules in a row, not one per module: half the path for
    // the browser to parse and fill on the way to the buyer's first sight of the code.
    for y in 0..code.size {
        let mut x = 0;
        while x < code.size {
            let start = x;
            while x < code.size && code.is_dark(x, y) {
                x += 1;
            }
            if x > start {
                s.push('M');
                push_num(&mut s, start + QUIET);
                s.push(' ');
                push_num(&mut s, y + QUIET);
                s.push('h');
                push_num(&mut s, x - start);
                s.push_str("v1H");
                push_num(&mut s, start + QUIET);
                s.push('z');
            }
            x += 1;
        }
    }
    s.push_str(r#""/></svg>"#);
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::codewords::{data_codewords, header_bits};
    use super::penalty::penalty;
    use super::*;
    use qrcode::bits::Bits as RefBits;
    use qrcode::canvas::{Canvas, MaskPattern};
    use qrcode::{Color, EcLevel, Version};

    const MASKS: [MaskPattern; 8] = [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ];

    /// The same data, version and mask drawn by the `qrcode` crate (byte mode, level M).
    fn reference(data: &[u8], version: i16, mask: usize) -> Vec<bool> {
        let mut bits = RefBits::new(Version::Normal(version));
        bits.push_byte_data(data).unwrap();
        bits.push_terminator(EcLevel::M).unwrap();
        let (data_cw, ecc_cw) =
            qrcode::ec::construct_codewords(&bits.into_bytes(), Version::Normal(version), EcLevel::M).unwrap();
        let mut canvas = Canvas::new(Version::Normal(version), EcLevel::M);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data_cw, &ecc_cw);
        canvas.apply_mask(MASKS[mask]);
        canvas.into_colors().into_iter().map(|c| c == Color::Dark).collect()
    }

    #[test]
    fn matches_an_independent_encoder_at_every_version_and_mask() {
        for version in 1..=40usize {
            // Fill most of the version, with bytes that vary, so every block and pad path runs.
            let len = data_codewords(version) - header_bits(version).div_ceil(8) - (version % 3);
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + version) as u8).collect();
            for mask in 0..8u8 {
                let ours = encode_with(&data, version, mask).unwrap();
                assert_eq!(
                    ours.dark,
                    reference(&data, version as i16, usize::from(mask)),
                    "version {version}, mask {mask}"
                );
            }
        }
    }

    #[test]
    fn payment_uris_pick_the_smallest_version_and_the_lowest_penalty_mask() {
        let uri = b"bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125";
        let code = encode(uri).unwrap();
        // 67 bytes need version 5 at level M (64 data bytes fit version 4, 84 fit version 5).
        assert_eq!(code.size, 5 * 4 + 17);
        let best = (0..8).map(|m| penalty(&encode_with(uri, 5, m).unwrap())).min().unwrap();
        assert_eq!(penalty(&code), best);
        assert!(encode_with(uri, 4, 0).is_none());
    }

    #[test]
    fn too_long_is_none() {
        assert!(encode(&vec![b'a'; 2331]).is_some(), "version 40-M holds 2331 bytes");
        assert!(svg(&"a".repeat(2332)).is_none());
    }

    #[test]
    fn renders_the_same_svg_as_format_would() {
        let text = "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125";
        let code = encode(text.as_bytes()).unwrap();
        let size = code.size + 2 * QUIET;
        let mut path = String::new();
        for y in 0..code.size {
            let row: Vec<bool> = (0..code.size).map(|x| code.is_dark(x, y)).collect();
            let mut x = 0;
            for run in row.chunk_by(|a, b| a == b) {
                if run[0] {
                    path.push_str(&format!("M{} {}h{}v1H{}z", x + QUIET, y + QUIET, run.len(), x + QUIET));
                }
                x += run.len();
            }
        }
        let expected = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
        );
        assert_eq!(svg(text).unwrap(), expected);
    }

    #[test]
    fn renders_an_svg_with_a_quiet_zone() {
        let text = "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125";
        let s = svg(text).unwrap();
        assert!(s.starts_with("<svg"));
        assert!(s.contains(r#"viewBox="0 0 45 45""#), "{}", &s[..120]);
        assert!(s.contains("M4 4h7v1H4z"), "the finder pattern's top row is one dark run");
    }
}
