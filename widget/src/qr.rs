//! QR codes of payment URIs (ISO/IEC 18004), drawn as SVG markup.
//!
//! A small encoder of our own: byte mode, error correction level M, versions 1 to 40, the
//! spec's eight masks and penalty rules. A general QR crate carries Micro QR, Kanji and mode
//! optimisation that a URI never needs, and was the largest single part of the download.

/// Modules of light border around the code (the quiet zone readers need).
const QUIET: usize = 4;

/// Error correction codewords per block at level M, by version (index 0 unused).
/// Source: ISO/IEC 18004:2015, Table 9.
const ECC_PER_BLOCK: [u8; 41] = [
    0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
];

/// Error correction blocks at level M, by version (index 0 unused).
/// Source: ISO/IEC 18004:2015, Table 9.
const BLOCKS: [u8; 41] = [
    0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31,
    33, 35, 37, 38, 40, 43, 45, 47, 49,
];

/// Level M's two format bits (L = 01, M = 00, Q = 11, H = 10).
const LEVEL_M: u32 = 0b00;

/// A square of modules, dark or light, and which of them belong to function patterns.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub size: usize,
    dark: Vec<bool>,
    function: Vec<bool>,
}

impl Matrix {
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.size + x]
    }

    fn set(&mut self, x: usize, y: usize, dark: bool) {
        self.dark[y * self.size + x] = dark;
    }

    fn set_function(&mut self, x: usize, y: usize, dark: bool) {
        self.set(x, y, dark);
        self.function[y * self.size + x] = true;
    }
}

/// The QR code of `data`, at the smallest version that holds it, with the best mask.
pub fn encode(data: &[u8]) -> Option<Matrix> {
    let version = (1..=40).find(|&v| header_bits(v) + 8 * data.len() <= 8 * data_codewords(v))?;
    let base = layout(version, data);
    (0..8).map(|mask| masked(&base, mask)).min_by_key(penalty)
}

/// `data` at `version` with `mask`, or `None` if it does not fit.
pub fn encode_with(data: &[u8], version: usize, mask: u8) -> Option<Matrix> {
    (header_bits(version) + 8 * data.len() <= 8 * data_codewords(version)).then(|| masked(&layout(version, data), mask))
}

/// An SVG QR code of `text`, or `None` if it is too long for a QR code.
pub fn svg(text: &str) -> Option<String> {
    let code = encode(text.as_bytes())?;
    let size = code.size + 2 * QUIET;
    let mut path = String::with_capacity(code.size * code.size * 4);
    for y in 0..code.size {
        for x in 0..code.size {
            if code.is_dark(x, y) {
                path.push_str(&format!("M{} {}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
    ))
}

/// Mode indicator and character count.
fn header_bits(version: usize) -> usize {
    4 + if version < 10 { 8 } else { 16 }
}

/// Modules left for data and error correction once the function patterns are drawn.
fn raw_modules(version: usize) -> usize {
    let v = version;
    let mut n = (16 * v + 128) * v + 64;
    if v >= 2 {
        let align = v / 7 + 2;
        n -= (25 * align - 10) * align - 55;
        if v >= 7 {
            n -= 36; // the two version blocks
        }
    }
    n
}

fn data_codewords(version: usize) -> usize {
    raw_modules(version) / 8 - usize::from(ECC_PER_BLOCK[version]) * usize::from(BLOCKS[version])
}

/// Function patterns drawn and the codewords placed, before masking.
fn layout(version: usize, data: &[u8]) -> Matrix {
    let size = version * 4 + 17;
    let mut m = Matrix { size, dark: vec![false; size * size], function: vec![false; size * size] };
    draw_function_patterns(&mut m, version);
    place(&mut m, &codewords(version, data));
    m
}

fn masked(base: &Matrix, mask: u8) -> Matrix {
    let mut m = base.clone();
    for y in 0..m.size {
        for x in 0..m.size {
            if !m.function[y * m.size + x] && mask_bit(mask, x, y) {
                let i = y * m.size + x;
                m.dark[i] = !m.dark[i];
            }
        }
    }
    draw_format(&mut m, mask);
    m
}

/// The eight mask conditions (ISO/IEC 18004, Table 10), with `x` the column and `y` the row.
fn mask_bit(mask: u8, x: usize, y: usize) -> bool {
    match mask {
        0 => (x + y) % 2 == 0,
        1 => y % 2 == 0,
        2 => x % 3 == 0,
        3 => (x + y) % 3 == 0,
        4 => (x / 3 + y / 2) % 2 == 0,
        5 => x * y % 2 + x * y % 3 == 0,
        6 => (x * y % 2 + x * y % 3) % 2 == 0,
        _ => ((x + y) % 2 + x * y % 3) % 2 == 0,
    }
}

/// The data bits with padding, split into blocks, each followed by its Reed-Solomon code, then
/// interleaved.
fn codewords(version: usize, data: &[u8]) -> Vec<u8> {
    let capacity = data_codewords(version);
    let mut bits = Bits::default();
    bits.push(0b0100, 4);
    bits.push(data.len() as u32, header_bits(version) - 4);
    for &b in data {
        bits.push(u32::from(b), 8);
    }
    let room = capacity * 8 - bits.len;
    bits.push(0, room.min(4));
    bits.push(0, (8 - bits.len % 8) % 8);
    let mut bytes = bits.bytes;
    for pad in [0xEC, 0x11].into_iter().cycle() {
        if bytes.len() >= capacity {
            break;
        }
        bytes.push(pad);
    }

    let blocks = usize::from(BLOCKS[version]);
    let ecc_len = usize::from(ECC_PER_BLOCK[version]);
    let generator = rs_generator(ecc_len);
    // The first blocks are one codeword shorter when the data does not split evenly.
    let short = capacity / blocks;
    let long_count = capacity % blocks;
    let mut data_blocks = Vec::with_capacity(blocks);
    let mut start = 0;
    for i in 0..blocks {
        let len = short + usize::from(i >= blocks - long_count);
        data_blocks.push(&bytes[start..start + len]);
        start += len;
    }
    let ecc_blocks: Vec<Vec<u8>> = data_blocks.iter().map(|b| rs_remainder(b, &generator)).collect();
    let mut out = Vec::with_capacity(raw_modules(version) / 8);
    for i in 0..=short {
        out.extend(data_blocks.iter().filter_map(|b| b.get(i)));
    }
    for i in 0..ecc_len {
        out.extend(ecc_blocks.iter().map(|b| b[i]));
    }
    out
}

#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl Bits {
    fn push(&mut self, value: u32, count: usize) {
        for i in (0..count).rev() {
            if self.len % 8 == 0 {
                self.bytes.push(0);
            }
            if value >> i & 1 == 1 {
                *self.bytes.last_mut().expect("pushed above") |= 0x80 >> (self.len % 8);
            }
            self.len += 1;
        }
    }
}

/// Multiplication in GF(2⁸) modulo x⁸ + x⁴ + x³ + x² + 1 (0x11D), the QR code field.
fn gf_mul(a: u8, b: u8) -> u8 {
    let mut product: u16 = 0;
    for i in (0..8).rev() {
        product = (product << 1) ^ ((product >> 7) * 0x11D);
        product ^= u16::from(b >> i & 1) * u16::from(a);
    }
    product as u8
}

/// The coefficients of (x − α⁰)(x − α¹)…(x − α^(degree−1)), highest first, leading 1 dropped.
fn rs_generator(degree: usize) -> Vec<u8> {
    let mut g = vec![0u8; degree];
    g[degree - 1] = 1;
    let mut root = 1u8;
    for _ in 0..degree {
        for j in 0..degree {
            g[j] = gf_mul(g[j], root) ^ g.get(j + 1).copied().unwrap_or(0);
        }
        root = gf_mul(root, 0x02);
    }
    g
}

fn rs_remainder(data: &[u8], generator: &[u8]) -> Vec<u8> {
    let mut rem = vec![0u8; generator.len()];
    for &b in data {
        let factor = b ^ rem[0];
        rem.remove(0);
        rem.push(0);
        for (r, &g) in rem.iter_mut().zip(generator) {
            *r ^= gf_mul(g, factor);
        }
    }
    rem
}

fn draw_function_patterns(m: &mut Matrix, version: usize) {
    let size = m.size;
    for i in 0..size {
        m.set_function(6, i, i % 2 == 0);
        m.set_function(i, 6, i % 2 == 0);
    }
    // Finder patterns with their light separators.
    for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
        for dy in -4i32..=4 {
            for dx in -4i32..=4 {
                let (x, y) = (cx as i32 + dx, cy as i32 + dy);
                if (0..size as i32).contains(&x) && (0..size as i32).contains(&y) {
                    let ring = dx.abs().max(dy.abs());
                    m.set_function(x as usize, y as usize, ring != 2 && ring != 4);
                }
            }
        }
    }
    let centers = alignment_centers(version);
    let last = centers.len().saturating_sub(1);
    for (i, &cx) in centers.iter().enumerate() {
        for (j, &cy) in centers.iter().enumerate() {
            if (i, j) == (0, 0) || (i, j) == (0, last) || (i, j) == (last, 0) {
                continue; // those corners hold finder patterns
            }
            for dy in -2i32..=2 {
                for dx in -2i32..=2 {
                    let ring = dx.abs().max(dy.abs());
                    m.set_function((cx as i32 + dx) as usize, (cy as i32 + dy) as usize, ring != 1);
                }
            }
        }
    }
    draw_format(m, 0); // reserves the format areas; redrawn once the mask is known
    if version >= 7 {
        let mut rem = version as u32;
        for _ in 0..12 {
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
        }
        let bits = (version as u32) << 12 | rem;
        for i in 0..18 {
            let dark = bits >> i & 1 == 1;
            let (a, b) = (size - 11 + i % 3, i / 3);
            m.set_function(a, b, dark);
            m.set_function(b, a, dark);
        }
    }
}

/// Centres of the alignment patterns along each axis.
fn alignment_centers(version: usize) -> Vec<usize> {
    if version == 1 {
        return vec![];
    }
    let count = version / 7 + 2;
    let step = if version == 32 { 26 } else { (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2 };
    let size = version * 4 + 17;
    let mut centers: Vec<usize> = (0..count - 1).map(|i| size - 7 - i * step).collect();
    centers.push(6);
    centers.reverse();
    centers
}

/// Both copies of the 15 format bits (level and mask, BCH-protected), and the dark module.
fn draw_format(m: &mut Matrix, mask: u8) {
    let data = LEVEL_M << 3 | u32::from(mask);
    let mut rem = data;
    for _ in 0..10 {
        rem = (rem << 1) ^ ((rem >> 9) * 0x537);
    }
    let bits = (data << 10 | rem) ^ 0x5412;
    let bit = |i: usize| bits >> i & 1 == 1;
    let size = m.size;
    for i in 0..6 {
        m.set_function(8, i, bit(i));
    }
    m.set_function(8, 7, bit(6));
    m.set_function(8, 8, bit(7));
    m.set_function(7, 8, bit(8));
    for i in 9..15 {
        m.set_function(14 - i, 8, bit(i));
    }
    for i in 0..8 {
        m.set_function(size - 1 - i, 8, bit(i));
    }
    for i in 8..15 {
        m.set_function(8, size - 15 + i, bit(i));
    }
    m.set_function(8, size - 8, true);
}

/// Places the codewords in the zigzag of two-module columns, right to left, skipping the
/// vertical timing pattern.
fn place(m: &mut Matrix, codewords: &[u8]) {
    let size = m.size;
    let total = codewords.len() * 8;
    let mut i = 0;
    let mut right = size - 1;
    loop {
        if right == 6 {
            right = 5;
        }
        let upward = (right + 1) & 2 == 0;
        for step in 0..size {
            let y = if upward { size - 1 - step } else { step };
            for x in [right, right - 1] {
                if !m.function[y * size + x] && i < total {
                    m.set(x, y, codewords[i / 8] >> (7 - i % 8) & 1 == 1);
                    i += 1;
                }
            }
        }
        if right < 2 {
            break;
        }
        right -= 2;
    }
}

/// The spec's penalty score (ISO/IEC 18004, 7.8.3): long runs, 2×2 blocks, finder-like
/// patterns and an unbalanced dark share. Outside the symbol counts as light.
fn penalty(m: &Matrix) -> u32 {
    let size = m.size;
    let mut score = 0;
    for horizontal in [true, false] {
        for a in 0..size {
            let at = |b: isize| -> bool {
                if b < 0 || b >= size as isize {
                    return false;
                }
                let b = b as usize;
                if horizontal { m.is_dark(b, a) } else { m.is_dark(a, b) }
            };
            let mut run = 1;
            for b in 1..=size as isize {
                if b < size as isize && at(b) == at(b - 1) {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += 3 + (run - 5);
                    }
                    run = 1;
                }
            }
            // 1:1:3:1:1 dark-light-dark with four light modules on either side.
            for b in 0..size as isize - 6 {
                let core = [true, false, true, true, true, false, true]
                    .iter()
                    .enumerate()
                    .all(|(k, &d)| at(b + k as isize) == d);
                let light = |from: isize| (from..from + 4).all(|k| !at(k));
                if core && (light(b - 4) || light(b + 7)) {
                    score += 40;
                }
            }
        }
    }
    for y in 0..size - 1 {
        for x in 0..size - 1 {
            let c = m.is_dark(x, y);
            if m.is_dark(x + 1, y) == c && m.is_dark(x, y + 1) == c && m.is_dark(x + 1, y + 1) == c {
                score += 3;
            }
        }
    }
    let dark = m.dark.iter().filter(|&&d| d).count();
    let total = size * size;
    // 10 points for each full 5% away from half dark.
    let deviation = (dark * 20).abs_diff(total * 10);
    score += 10 * (deviation / total) as u32;
    score
}

#[cfg(test)]
mod tests {
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
    fn renders_an_svg_with_a_quiet_zone() {
        let text = "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?amount=0.00045125";
        let s = svg(text).unwrap();
        assert!(s.starts_with("<svg"));
        assert!(s.contains(r#"viewBox="0 0 45 45""#), "{}", &s[..120]);
        assert!(s.contains("M4 4h1v1h-1z"), "the finder pattern's first module is dark");
    }

    #[test]
    fn penalty_counts_runs_blocks_and_balance() {
        // An all-light 21×21 square: every row and column is one run of 21, every 2×2 block
        // is uniform, and it is 50 points from half dark.
        let m = Matrix { size: 21, dark: vec![false; 441], function: vec![false; 441] };
        assert_eq!(penalty(&m), 42 * (3 + 16) + 400 * 3 + 100);
    }
}
